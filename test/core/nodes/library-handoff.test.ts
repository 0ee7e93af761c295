/**
 * The library rule with several nodes: the node that takes an incoming transaction in decides what it can
 * re-read; an instance whose file it cannot see is left for a live node that has not tried it, and when no
 * such node is left it is failed with why, naming the nodes that tried.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Host } from '../../../src-main/core/host/host';
import { flatRefs, postCommitment, randomUid } from '../../support/commitment';
import { finalResult, sharedStore, type SharedStore } from '../../support/nodes-harness';

describe('an incoming transaction with files the deciding node cannot read', () => {
  let shared: SharedStore;
  let a: Host;
  let b: Host;
  let urlA: string;
  beforeEach(async () => {
    shared = await sharedStore({ studies: 1, seriesPerStudy: 1, instancesPerSeries: 3 });
    a = await shared.node('node-a');
    b = await shared.node('node-b');
    urlA = (await a.start({ incoming: true, http: { host: '127.0.0.1', port: 0 } })).server!.url;
    // Node B is alive (its heartbeat) but decides nothing yet.
    await b.start({ retention: true });
  });
  afterEach(() => shared.close());

  it('is handed to another node, which decides the files it can read', async () => {
    const hidden = shared.instances[1]!;
    fs.renameSync(hidden.path, `${hidden.path}.away`); // not there for node A
    const uid = randomUid();
    expect((await postCommitment(urlA, uid, flatRefs(shared.instances))).status).toBe(202);
    const handed = await a.call('incoming-get', { transactionUid: uid });
    // Node A decided what it read; the rest waits for a node that has not tried.
    expect(handed).toMatchObject({ state: 'working', committedCount: 2, failedCount: 0 });
    fs.renameSync(`${hidden.path}.away`, hidden.path); // node B sees it
    await b.start({ incoming: true });
    expect(await finalResult(urlA, uid)).toEqual({ committed: 3, failed: [] });
  });

  it('is failed with why when every live node tried', async () => {
    const gone = shared.instances[0]!;
    fs.rmSync(gone.path);
    const uid = randomUid();
    expect((await postCommitment(urlA, uid, flatRefs(shared.instances))).status).toBe(202);
    await b.start({ incoming: true });
    expect(await finalResult(urlA, uid)).toEqual({ committed: 2, failed: [{ reason: 0x0112 }] });
    const [failed] = (await b.call('incoming-instances', { transactionUid: uid, limit: 10, offset: 0, outcome: 'failed' })).rows;
    expect(failed!.detail).toMatch(/is gone \(no Safekeep node could read it: tried node-a, node-b\)/);
  });
});
