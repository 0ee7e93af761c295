/**
 * The library is per node: each node indexes the folders it sees (shared storage mounted on several nodes is
 * indexed once per path and node), shows only its own folders, and an incoming transaction for instances its
 * library lacks is decided by a live node whose library holds them. The verdict counts stay the same whichever
 * node asks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flatRefs, postCommitment, randomUid } from '../../support/commitment';
import { finalResult, sharedStore, type SharedStore } from '../../support/nodes-harness';
import { CT_IMAGE } from '../../support/fixtures';
import { pollUntil } from '../dimse/dimse-fixtures';

describe('a library per node', () => {
  let shared: SharedStore;
  beforeEach(async () => {
    shared = await sharedStore({ studies: 2, seriesPerStudy: 1, instancesPerSeries: 3 });
  });
  afterEach(() => shared.close());

  it('each node indexes what it scans: the same path once per node, its own folders only, forgotten per node', async () => {
    const a = await shared.node('node-a');
    const b = await shared.node('node-b', {}, { scan: false });
    expect(await a.call('library-summary', {})).toMatchObject({ instances: 6, studies: 2, roots: [{ path: shared.libraryDir }] });
    // Node B sees none of node A's folders or files.
    expect(await b.call('library-summary', {})).toMatchObject({ instances: 0, studies: 0, roots: [] });
    expect((await b.call('library-studies', { limit: 10, offset: 0 })).total).toBe(0);
    const uids = shared.instances.map((i) => i.sopInstanceUid);
    expect([...(await b.core.store.library.otherNodesHolding(uids)).values()]).toEqual(uids.map(() => ['node-a']));

    // The same shared folder scanned by node B: indexed again, for B, under the same paths.
    await b.call('library-scan', { paths: [shared.libraryDir] });
    expect(await b.call('library-summary', {})).toMatchObject({ instances: 6, roots: [{ path: shared.libraryDir }] });
    const [first] = uids;
    expect((await b.core.store.library.findInstances([first!])).get(first!)?.path).toBe((await a.core.store.library.findInstances([first!])).get(first!)?.path);
    expect((await a.core.store.library.otherNodesHolding([first!])).get(first!)).toEqual(['node-b']);
    // An instance indexed by two nodes counts once in a verdict ("never asked"), whichever node asks.
    expect(await a.core.store.reports.neverAsked(424242)).toBe(6);
    expect(await b.core.store.reports.neverAsked(424242)).toBe(6);

    // Node A forgets its folder; node B keeps its own index of it.
    expect(await a.call('library-remove-root', { path: shared.libraryDir })).toEqual({ removed: 6, kept: 0 });
    expect(await a.call('library-summary', {})).toMatchObject({ instances: 0, roots: [] });
    expect(await b.call('library-summary', {})).toMatchObject({ instances: 6, roots: [{ path: shared.libraryDir }] });
    expect(await a.core.store.reports.neverAsked(424242)).toBe(6);
    // A job planned on node A finds nothing of its own; on node B the whole folder.
    expect(await a.call('library-count-selection', { selection: { paths: [shared.libraryDir] } })).toEqual({ instances: 0 });
    expect(await b.call('library-count-selection', { selection: { paths: [shared.libraryDir] } })).toEqual({ instances: 6 });
  });

  it('an incoming transaction for instances not in the library of the node that took it is decided by the node that holds them', async () => {
    const a = await shared.node('node-a');
    const b = await shared.node('node-b', {}, { scan: false });
    // Node A holds the library and is alive (its heartbeat) but decides nothing yet; node B takes the request in.
    await a.start({ retention: true });
    const urlB = (await b.start({ incoming: true, http: { host: '127.0.0.1', port: 0 } })).server!.url;
    const uid = randomUid();
    const unknown = { sopClassUid: CT_IMAGE, sopInstanceUid: randomUid() }; // in no node's library
    const refs = [...flatRefs(shared.instances.slice(0, 3)), ...flatRefs([unknown])];
    expect((await postCommitment(urlB, uid, refs)).status).toBe(202);
    // Node B failed what no node holds, at once, and left the rest for node A (handed over: no longer B's).
    const handed = await pollUntil('node B to hand the transaction over', 20_000, async () => {
      const t = await b.call('incoming-get', { transactionUid: uid });
      return t.failedCount === 1 && !b.core.incoming.processor.isRunning(uid) ? t : undefined;
    });
    expect(handed).toMatchObject({ state: 'working', committedCount: 0, failedCount: 1 });
    await a.start({ incoming: true });
    expect(await finalResult(urlB, uid)).toEqual({ committed: 3, failed: [{ reason: 0x0112 }] });
    const [failed] = (await a.call('incoming-instances', { transactionUid: uid, limit: 10, offset: 0, outcome: 'failed' })).rows;
    expect(failed).toMatchObject({ sopInstanceUid: unknown.sopInstanceUid, detail: 'Not in the library' });
  });

  it('is not handed to a live node whose library lacks the instance either: failed at once, not in the library', async () => {
    await shared.node('node-a'); // holds the library, but is not running
    const b = await shared.node('node-b', {}, { scan: false });
    const c = await shared.node('node-c', {}, { scan: false });
    await c.start({ retention: true }); // alive, sees nothing
    const urlB = (await b.start({ incoming: true, http: { host: '127.0.0.1', port: 0 } })).server!.url;
    const uid = randomUid();
    expect((await postCommitment(urlB, uid, flatRefs(shared.instances.slice(0, 2)))).status).toBeLessThan(300);
    expect(await finalResult(urlB, uid)).toEqual({ committed: 0, failed: [{ reason: 0x0112 }, { reason: 0x0112 }] });
    expect(await b.call('incoming-get', { transactionUid: uid })).toMatchObject({ state: 'done', failedCount: 2 });
  });
});
