/**
 * Decisions that were atomic while the store was synchronous stay atomic behind promise-returning ports:
 * each is one method (one transaction), so nothing can slip in between the check and the write.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestedInstance } from '../../../src-shared/commitment/model';
import type { NewIncoming } from '../../../src-main/core/incoming/model/transaction';
import type { Store } from '../../../src-main/core/store/ports';
import { tempDir } from '../../support/fixtures';
import { openTestStore } from '../../support/store';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const instances = (n: number): RequestedInstance[] => Array.from({ length: n }, (_, k) => ({ form: 'flat', sopClassUid: CT, sopInstanceUid: `1.2.3.${k}` }));
const incoming = (uid: string, n = 2): NewIncoming => ({
  transactionUid: uid,
  source: 'dicomweb',
  client: 'alice',
  requester: '127.0.0.1:1',
  mediaType: 'application/dicom+json',
  policy: 'library',
  instances: instances(n),
  receivedAt: 1,
});

describe('atomic store ports', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = tempDir();
    store = await openTestStore(dir);
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a Transaction UID taken is refused where the transaction is stored: of two at once, exactly one is stored', async () => {
    const both = await Promise.all([store.incoming.create(incoming('2.25.1', 2)), store.incoming.create(incoming('2.25.1', 3))]);
    expect(both.filter((r) => r.created)).toHaveLength(1);
    expect(both.filter((r) => !r.created)).toEqual([{ created: false, why: 'duplicate' }]);
    expect((await store.incoming.list({ limit: 10, offset: 0 })).total).toBe(1);
  });

  it('back-pressure is checked in the same transaction, after the UID', async () => {
    const limits = { maxWorking: 2, maxPending: 5 };
    expect(await store.incoming.create(incoming('2.25.1', 3), { limits })).toEqual({ created: true });
    expect(await store.incoming.create(incoming('2.25.2', 3), { limits })).toEqual({ created: false, why: 'busy', load: { working: 1, pending: 3 } });
    expect(await store.incoming.create(incoming('2.25.1', 1), { limits })).toEqual({ created: false, why: 'duplicate' });
    expect(await store.incoming.create(incoming('2.25.3', 2), { limits })).toEqual({ created: true });
    expect(await store.incoming.create(incoming('2.25.4', 0), { limits })).toMatchObject({ created: false, why: 'busy' });
  });

  it('a DIMSE transaction is stored with where its report goes, at once', async () => {
    const meta = { callingAeTitle: 'PACS', calledAeTitle: 'SAFEKEEP', remoteHost: '10.0.0.9' };
    expect(await store.incoming.create({ ...incoming('2.25.7'), source: 'dimse' }, { report: meta })).toEqual({ created: true });
    expect(await store.incoming.reportMeta('2.25.7')).toEqual(meta);
    expect(await store.incoming.get('2.25.7')).toMatchObject({ reportState: 'pending', reportAttempts: 0 });
  });

  it("a request's state changes only from the states the writer expects (a cancel is not overwritten by a late answer)", async () => {
    const remote = await store.remotes.save({ kind: 'dicomweb', name: 'PACS', config: { baseUrl: 'http://pacs/dicomweb' } }, 1);
    const planned = instances(2).map((i) => ({ ...i, studyUid: null, seriesUid: null, filePath: null }));
    const { requestIds } = await store.outgoing.createJob({
      remoteId: remote.id,
      remoteName: remote.name,
      label: 'job',
      form: 'flat',
      now: 1,
      requests: [{ transactionUid: '2.25.10', form: 'flat', studyUid: null, label: null, instances: planned }],
    });
    const id = requestIds[0]!;
    expect(await store.outgoing.patch(id, { state: 'posting' }, ['queued'])).toBe(true);
    // The user cancels while the POST is on its way...
    expect(await store.outgoing.failPending(id, 'Cancelled', { state: 'cancelled' }, 2, null, ['queued', 'posting', 'checking', 'working'])).toBe(true);
    // ...then the archive's answer comes: none of these writes applies.
    const committed = [0, 1].map((seq) => ({ seq, outcome: 'committed' as const, failureReason: null, detail: null }));
    expect(await store.outgoing.complete(id, committed, { state: 'done' }, 3, ['posting'])).toBe(false);
    expect(await store.outgoing.patch(id, { state: 'working' }, ['posting'])).toBe(false);
    expect(await store.outgoing.changeUid(id, '2.25.11', { state: 'queued' }, ['posting'])).toBe(false);
    expect(await store.outgoing.get(id)).toMatchObject({ state: 'cancelled', transactionUid: '2.25.10', committedCount: 0, failedCount: 2 });
    // A resend from the state it was read in; a second one at the same time finds it moved on.
    expect(await store.outgoing.reset(id, '2.25.12', 4, ['cancelled'])).toBe(true);
    expect(await store.outgoing.reset(id, '2.25.13', 4, ['cancelled'])).toBe(false);
    expect(await store.outgoing.get(id)).toMatchObject({ state: 'queued', transactionUid: '2.25.12', previousUids: ['2.25.10'] });
  });

  it('two remotes saved under one name at once: one is stored, the other is a conflict', async () => {
    const input = { kind: 'dicomweb' as const, name: 'PACS', config: { baseUrl: 'http://pacs/dicomweb' } };
    const both = await Promise.allSettled([store.remotes.save(input, 1), store.remotes.save(input, 1)]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(both.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
    expect(await store.remotes.list()).toHaveLength(1);
  });

  it('settings updated at once keep each other\'s keys (read, merge and write are one transaction)', async () => {
    await Promise.all([store.settings.update({ dimse: { port: 11113 } }), store.settings.update({ dimse: { aeTitle: 'KEEPER' } })]);
    expect((await store.settings.get()).dimse).toMatchObject({ port: 11113, aeTitle: 'KEEPER', host: '127.0.0.1' });
  });
});
