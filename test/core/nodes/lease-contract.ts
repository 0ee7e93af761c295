/**
 * What every store's leases must do (SQLite and PostgreSQL run the same cases): two nodes, each with its own
 * connection to one store, claim the same work; exactly one holds it until its lease runs out.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../../src-main/core/store/ports';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const T0 = Date.UTC(2026, 0, 1);

export interface TwoStores {
  a: Store;
  b: Store;
  close(): Promise<void>;
}

async function oneRequest(s: Store): Promise<number> {
  const { requestIds } = await s.outgoing.createJob({
    remoteId: 1,
    remoteName: 'pacs',
    label: 'job',
    form: 'flat',
    now: T0,
    requests: [{ transactionUid: `2.25.${Math.floor(Math.random() * 1e12)}`, form: 'flat', studyUid: null, label: null, instances: [{ sopClassUid: CT, sopInstanceUid: '1.2.3.4', studyUid: null, seriesUid: null, filePath: null }] }],
  });
  return requestIds[0]!;
}

async function doneDimseTransaction(s: Store, uid: string): Promise<void> {
  const instances = [{ form: 'flat' as const, sopClassUid: CT, sopInstanceUid: '1.2.3.5' }];
  await s.incoming.create(
    { transactionUid: uid, source: 'dimse', client: 'PACS', requester: '10.0.0.9', mediaType: null, policy: 'library', instances, receivedAt: T0 },
    { report: { callingAeTitle: 'PACS', calledAeTitle: 'SAFEKEEP', remoteHost: '10.0.0.9' } },
  );
  await s.incoming.recordDecisions(uid, [{ seq: 0, outcome: 'committed' }], T0);
  await s.incoming.complete(uid, T0, T0 + 1e9);
}

export function leaseContract(open: () => Promise<TwoStores>): void {
  let two: TwoStores;
  beforeEach(async () => {
    two = await open();
  });
  afterEach(() => two.close());

  it('of two nodes claiming one request at once exactly one holds it; the other takes it only once the lease ran out', async () => {
    const { a, b } = two;
    const id = await oneRequest(a);
    const claims = await Promise.all([a.leases.claimRequest(id, 'node-a', T0, T0 + 30_000), b.leases.claimRequest(id, 'node-b', T0, T0 + 30_000)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    const [holder, other, otherStore] = claims[0] ? ['node-a', 'node-b', b] : ['node-b', 'node-a', a];
    expect((await a.outgoing.get(id)).leaseOwner).toBe(holder);
    // The holder keeps it (claiming again renews); the other cannot take it while the lease holds.
    expect(await otherStore.leases.claimRequest(id, other, T0 + 29_999, T0 + 60_000)).toBe(false);
    // The heartbeat renews it past its first end.
    expect(await a.leases.renew(holder, T0 + 20_000, T0 + 50_000)).toBe(1);
    expect(await otherStore.leases.claimRequest(id, other, T0 + 40_000, T0 + 70_000)).toBe(false);
    // The holder died: no more heartbeats; once the lease ran out the other node takes it over.
    expect(await otherStore.leases.claimRequest(id, other, T0 + 50_001, T0 + 80_000)).toBe(true);
    expect((await b.outgoing.get(id)).leaseOwner).toBe(other);
    // The old holder, back from a pause, renews nothing of it and cannot take it back.
    expect(await a.leases.renew(holder, T0 + 50_002, T0 + 80_002)).toBe(0);
    expect(await (otherStore === a ? b : a).leases.claimRequest(id, holder, T0 + 50_003, T0 + 80_003)).toBe(false);
  });

  it('a finished request cannot be claimed; a released one is free for any node at once', async () => {
    const { a, b } = two;
    const id = await oneRequest(a);
    expect(await a.leases.claimRequest(id, 'node-a', T0, T0 + 30_000)).toBe(true);
    await a.leases.releaseRequest(id);
    expect(await b.leases.claimRequest(id, 'node-b', T0 + 1, T0 + 30_001)).toBe(true);
    await b.leases.releaseHeld('node-b', { requests: [id], incoming: [], reports: [] });
    expect((await a.outgoing.get(id)).leaseOwner).toBeNull();
    await a.outgoing.patch(id, { state: 'done', completedAt: T0 + 2 });
    expect(await a.leases.claimRequest(id, 'node-a', T0 + 3, T0 + 30_003)).toBe(false);
  });

  it("releaseHeld lets go only of what that node still holds (another node's claim stays)", async () => {
    const { a, b } = two;
    const [x, y] = [await oneRequest(a), await oneRequest(a)];
    expect(await a.leases.claimRequest(x, 'node-a', T0, T0 + 10)).toBe(true);
    expect(await b.leases.claimRequest(y, 'node-b', T0, T0 + 30_000)).toBe(true);
    await a.leases.releaseHeld('node-a', { requests: [x, y], incoming: [], reports: [] });
    expect((await b.outgoing.get(x)).leaseOwner).toBeNull();
    expect((await b.outgoing.get(y)).leaseOwner).toBe('node-b');
  });

  it("the N-EVENT-REPORT of a DIMSE transaction is delivered by one node at a time, and taken over when its node died", async () => {
    const { a, b } = two;
    await doneDimseTransaction(a, '2.25.77');
    const claims = await Promise.all([a.leases.claimReport('2.25.77', 'node-a', T0, T0 + 30_000), b.leases.claimReport('2.25.77', 'node-b', T0, T0 + 30_000)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    const [other, otherStore] = claims[0] ? ['node-b', b] : ['node-a', a];
    expect(await otherStore.leases.claimReport('2.25.77', other, T0 + 1_000, T0 + 31_000)).toBe(false);
    expect(await otherStore.leases.claimReport('2.25.77', other, T0 + 30_001, T0 + 60_001)).toBe(true);
    // Once sent, nobody claims it again.
    await a.incoming.setReport('2.25.77', { state: 'sent', attempts: 1, nextAt: null, error: null });
    expect(await a.leases.claimReport('2.25.77', 'node-a', T0 + 90_000, T0 + 120_000)).toBe(false);
  });

  it('a Working incoming transaction is decided by one node; another takes it over only when its lease ran out', async () => {
    const { a, b } = two;
    const working = (uid: string, receivedAt: number) =>
      a.incoming.create({ transactionUid: uid, source: 'dicomweb', client: 'x', requester: 'y', mediaType: null, policy: 'library', instances: [{ form: 'flat', sopClassUid: CT, sopInstanceUid: '1.2.3.6' }], receivedAt });
    await working('2.25.1', T0);
    await working('2.25.2', T0 + 5_000);
    // Just stored by node A, not claimed yet: not an orphan for node B (A claims it next); an older one is.
    expect(await b.leases.orphanedIncoming('node-b', T0 + 5_001, T0 + 5_001 - 30_000)).toEqual([]);
    expect(await b.leases.orphanedIncoming('node-b', T0 + 40_000, T0 + 10_000)).toEqual(['2.25.1', '2.25.2']);
    expect(await a.leases.claimIncoming('2.25.1', 'node-a', T0, T0 + 30_000)).toBe(true);
    expect(await b.leases.claimIncoming('2.25.1', 'node-b', T0 + 1, T0 + 30_001)).toBe(false);
    // Node A's own after a restart; node B's once the lease ran out.
    expect(await a.leases.orphanedIncoming('node-a', T0 + 2, T0 + 2 - 30_000)).toEqual(['2.25.1']);
    expect(await b.leases.orphanedIncoming('node-b', T0 + 2, T0 + 2 - 30_000)).toEqual([]);
    expect(await b.leases.orphanedIncoming('node-b', T0 + 30_001, T0)).toEqual(['2.25.1']);
    expect(await b.leases.claimIncoming('2.25.1', 'node-b', T0 + 30_001, T0 + 60_001)).toBe(true);
    // Done: nobody claims it any more.
    await b.incoming.complete('2.25.1', T0 + 30_002, T0 + 1e9);
    expect(await a.leases.claimIncoming('2.25.1', 'node-a', T0 + 90_000, T0 + 120_000)).toBe(false);
  });

  it('a transaction handed over for files a node cannot read goes at once to a node that has not tried it, back to the tried one only after a lease', async () => {
    const { a, b } = two;
    await a.incoming.create({ transactionUid: '2.25.9', source: 'dicomweb', client: 'x', requester: 'y', mediaType: null, policy: 'library', instances: [{ form: 'flat', sopClassUid: CT, sopInstanceUid: '1.2.3.7' }], receivedAt: T0 });
    expect(await a.leases.claimIncoming('2.25.9', 'node-a', T0, T0 + 30_000)).toBe(true);
    // Only its holder hands it over.
    await b.leases.handOver('2.25.9', 'node-b', T0 + 1);
    expect(await a.leases.triedNodes('2.25.9')).toEqual([]);
    await a.leases.handOver('2.25.9', 'node-a', T0 + 2);
    expect(await b.leases.triedNodes('2.25.9')).toEqual(['node-a']);
    // Received just now, yet node B may take it at once; node A may not (it tried) until a lease later.
    expect(await b.leases.orphanedIncoming('node-b', T0 + 3, T0 + 3 - 30_000)).toEqual(['2.25.9']);
    expect(await a.leases.orphanedIncoming('node-a', T0 + 3, T0 + 3 - 30_000)).toEqual([]);
    expect(await a.leases.orphanedIncoming('node-a', T0 + 30_003, T0 + 3)).toEqual(['2.25.9']);
    expect(await b.leases.claimIncoming('2.25.9', 'node-b', T0 + 4, T0 + 30_004)).toBe(true);
    await b.leases.handOver('2.25.9', 'node-b', T0 + 5);
    expect(await a.leases.triedNodes('2.25.9')).toEqual(['node-a', 'node-b']);
  });

  it('the registry: each node joins, beats, and says how many requests it holds', async () => {
    const { a, b } = two;
    await a.nodes.register({ id: 'node-a', name: 'host-a', version: '1', addresses: ['http://a:8080'], now: T0 });
    await b.nodes.register({ id: 'node-b', name: 'host-b', version: '1', addresses: [], now: T0 });
    const id = await oneRequest(a);
    await b.leases.claimRequest(id, 'node-b', T0, T0 + 30_000);
    await b.nodes.beat('node-b', T0 + 10_000, ['http://b:8080']);
    const nodes = await a.nodes.list();
    expect(nodes).toEqual([
      { id: 'node-a', name: 'host-a', version: '1', startedAt: T0, heartbeatAt: T0, addresses: ['http://a:8080'], requests: 0 },
      { id: 'node-b', name: 'host-b', version: '1', startedAt: T0, heartbeatAt: T0 + 10_000, addresses: ['http://b:8080'], requests: 1 },
    ]);
    // Joining again (a restart) starts it anew.
    await a.nodes.register({ id: 'node-a', name: 'host-a', version: '2', addresses: [], now: T0 + 5 });
    expect((await b.nodes.list())[0]).toMatchObject({ version: '2', startedAt: T0 + 5, heartbeatAt: T0 + 5 });
  });
}
