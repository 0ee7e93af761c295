/**
 * Two Safekeep nodes on one store (issue 13), each a Host in this process with its own node id and a short
 * lease, against a real HTTP peer that counts every request: work is shared and never done twice, any node
 * answers a Result Check, and two nodes racing on one Transaction UID give one 2xx and one 409.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALL_WORK, type Host } from '../../../src-main/core/host/host';
import { isFinal } from '../../../src-shared/outgoing';
import { flatRefs, getCommitment, postCommitment, randomUid } from '../../support/commitment';
import { answerFor, startFaultServer } from '../../support/fault-server';
import { addDicomwebRemote, sharedStore, TEST_LEASE_MS, type SharedStore } from '../../support/nodes-harness';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two nodes on one store', () => {
  let shared: SharedStore;
  let a: Host;
  let b: Host;
  let urlA: string;
  let urlB: string;
  beforeEach(async () => {
    shared = await sharedStore();
    a = await shared.node('node-a');
    b = await shared.node('node-b');
    urlA = (await a.start({ ...ALL_WORK, http: { host: '127.0.0.1', port: 0 } })).server!.url;
    urlB = (await b.start({ ...ALL_WORK, http: { host: '127.0.0.1', port: 0 } })).server!.url;
  });
  afterEach(() => shared.close());

  it('one job started on node A is worked by both nodes, and every request is sent exactly once', async () => {
    // Slow answers: while node A's two slots are busy, node B's heartbeat finds the rest of the job.
    const peer = await startFaultServer(async (req, ctx) => {
      await delay(150);
      return answerFor(ctx.posted.get(req.uid) ?? []);
    });
    try {
      const remoteId = await addDicomwebRemote(a, peer.url, { maxInstancesPerRequest: 1, concurrency: 2 });
      const job = await a.call('outgoing-create', { remoteId, selection: { paths: [shared.libraryDir] }, form: 'flat' });
      expect(job.requestIds).toHaveLength(shared.instances.length);
      await a.core.outgoing.waitFor(job.requestIds);

      const posts = peer.seen.filter((s) => s.method === 'POST');
      const requests = await Promise.all(job.requestIds.map((id) => a.core.store.outgoing.get(id)));
      // Each request's Transaction UID reached the peer once, and nothing else was posted.
      expect(posts.map((s) => s.uid).sort()).toEqual(requests.map((r) => r.transactionUid).sort());
      // No node took another's request mid-POST for one left behind (that would be checked with a GET first).
      expect(peer.seen.filter((s) => s.method !== 'POST')).toEqual([]);
      expect(requests.every((r) => r.state === 'done' && r.committedCount === 1)).toBe(true);
      // Both nodes took part: the last holder of each request's lease is the node that sent it.
      expect(new Set(requests.map((r) => r.leaseOwner))).toEqual(new Set(['node-a', 'node-b']));
      // Both are in the registry, alive.
      const nodes = await b.core.node.list();
      expect(nodes.filter((n) => n.id.startsWith('node-')).map((n) => [n.id, n.alive])).toEqual([
        ['node-a', true],
        ['node-b', true],
      ]);
      expect(nodes.find((n) => n.id === 'node-a')!.addresses).toEqual([urlA]);
      // What a load balancer asks each node.
      expect(await (await fetch(`${urlB}/healthz`)).json()).toEqual({ status: 'ok', node: 'node-b' });

      // One verdict across nodes: the report and the safe-to-delete list are the same whichever node writes them.
      const [summaryA, summaryB] = await Promise.all([a.call('report-summary', { remoteId }), b.call('report-summary', { remoteId })]);
      const { generatedAt: _a, ...restA } = summaryA;
      const { generatedAt: _b, ...restB } = summaryB;
      expect(restB).toEqual(restA);
      expect(restA.totals).toMatchObject({ instances: shared.instances.length, committed: shared.instances.length });
      const [safeA, safeB] = await Promise.all([a.call('report-safe-to-delete', { remoteId }), b.call('report-safe-to-delete', { remoteId })]);
      expect(safeB).toEqual(safeA);
      expect(safeA.files).toBe(shared.instances.length);
    } finally {
      await peer.close();
    }
  });

  it('a POST slower than the lease stays with its node: the heartbeat renews the lease, no other node takes it over', async () => {
    const peer = await startFaultServer(async (req, ctx) => {
      await delay(3 * TEST_LEASE_MS); // three leases long
      return answerFor(ctx.posted.get(req.uid) ?? []);
    });
    try {
      const remoteId = await addDicomwebRemote(a, peer.url, { timeoutSeconds: 30 });
      const job = await a.call('outgoing-create', { remoteId, selection: { paths: [shared.libraryDir] }, form: 'flat' });
      await a.core.outgoing.waitFor(job.requestIds);
      expect(peer.seen.map((s) => s.method)).toEqual(['POST']);
      expect(await a.core.store.outgoing.get(job.requestIds[0]!)).toMatchObject({ state: 'done', attempts: 1, polls: 0 });
    } finally {
      await peer.close();
    }
  });

  it('a Transaction UID POSTed to node A is answered by a Result Check on node B', async () => {
    const uid = randomUid();
    const posted = await postCommitment(urlA, uid, flatRefs(shared.instances));
    expect([200, 202]).toContain(posted.status);
    let result: Response;
    // Node A decides (re-reading every file); node B answers from the shared store, 202 until it is done.
    for (;;) {
      result = await getCommitment(urlB, uid);
      if (result.status !== 202) break;
      await delay(50);
    }
    expect(result.status).toBe(200);
    const body = JSON.stringify(await result.json());
    for (const i of shared.instances) expect(body).toContain(i.sopInstanceUid);
    const tx = await b.call('incoming-get', { transactionUid: uid });
    expect(tx).toMatchObject({ state: 'done', committedCount: shared.instances.length, failedCount: 0 });
  });

  it('two nodes racing on the same Transaction UID: exactly one takes it, the other answers 409', async () => {
    const uid = randomUid();
    const refs = flatRefs(shared.instances);
    const [ra, rb] = await Promise.all([postCommitment(urlA, uid, refs), postCommitment(urlB, uid, refs)]);
    const statuses = [ra.status, rb.status].sort();
    expect(statuses.filter((s) => s === 409)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200 || s === 202)).toHaveLength(1);
    const conflict = ra.status === 409 ? ra : rb;
    expect(await conflict.text()).toContain('already in use');
    expect((await a.call('incoming-list', { limit: 10, offset: 0 })).total).toBe(1);
  });

  it('a request failed on node A and resent on node B is sent once more, under its new UID, by whichever node takes it', async () => {
    let refuse = true;
    const peer = await startFaultServer((req, ctx) => (refuse ? { status: 400, body: '' } : answerFor(ctx.posted.get(req.uid) ?? [])));
    try {
      const remoteId = await addDicomwebRemote(a, peer.url);
      const job = await a.call('outgoing-create', { remoteId, selection: { paths: [shared.libraryDir] }, form: 'flat' });
      await a.core.outgoing.waitFor(job.requestIds);
      const [id] = job.requestIds;
      expect((await a.core.store.outgoing.get(id!)).state).toBe('failed');
      refuse = false;
      await b.call('outgoing-resend', { id: id! });
      const done = await b.core.outgoing.engine.waitUntil(id!, (r) => isFinal(r.state));
      expect(done.state).toBe('done');
      expect(peer.seen.filter((s) => s.method === 'POST')).toHaveLength(2);
    } finally {
      await peer.close();
    }
  });
});
