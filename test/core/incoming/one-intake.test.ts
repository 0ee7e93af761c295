/**
 * A DICOMweb POST and a DIMSE N-ACTION go through one intake: the same back-pressure and the same admission
 * by the policy, and a refused request leaves nothing stored (its Transaction UID may be used again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src-shared/contract/errors';
import { sendCommitmentRequest } from '../../../src-main/core/dimse/scu';
import { DIMSE_STATUS } from '../../../src-main/core/dimse/types';
import type { CommitmentPolicy } from '../../../src-main/core/incoming/policy';
import { flatRefs, postCommitment, randomUid } from '../../support/commitment';
import { startOrigin, type OriginHarness } from '../../support/origin-harness';

describe('one intake for both protocols', () => {
  let h: OriginHarness;
  let port: number;
  beforeAll(async () => {
    h = await startOrigin();
    ({ port } = await h.core.startDimse({ aeTitle: 'KEEPER', host: '127.0.0.1', port: 0, peers: [{ aeTitle: 'ASKER', host: '127.0.0.1', port: 1 }] }));
  });
  afterAll(async () => {
    await h.close();
  });

  const nAction = async (uid: string) =>
    (
      await sendCommitmentRequest({
        callingAeTitle: 'ASKER',
        called: { aeTitle: 'KEEPER', host: '127.0.0.1', port },
        timeoutMs: 10_000,
        transactionUid: uid,
        instances: h.instances.slice(0, 2).map((i) => ({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid })),
        waitForReportMs: 0,
        onReport: async () => 0,
      })
    ).status;
  const post = async (uid: string) => (await postCommitment(h.url, uid, flatRefs(h.instances.slice(0, 2)), { token: 'alice-secret' })).status;

  it('back-pressure refuses an N-ACTION like a POST (Resource Limitation), and stores neither', async () => {
    const before = h.core.originConfig.maxPendingInstances;
    h.core.originConfig.maxPendingInstances = 0;
    const [byPost, byDimse] = [randomUid(), randomUid()];
    try {
      expect(await post(byPost)).toBe(503);
      expect(await nAction(byDimse)).toBe(DIMSE_STATUS.ResourceLimitation);
      expect(await h.core.incoming.get(byPost)).toBeUndefined();
      expect(await h.core.incoming.get(byDimse)).toBeUndefined();
    } finally {
      h.core.originConfig.maxPendingInstances = before;
    }
    // Nothing was kept: the same UIDs are taken once the load allows.
    expect(await post(byPost)).toBeLessThan(300);
    expect(await nAction(byDimse)).toBe(DIMSE_STATUS.Success);
    expect(await h.core.incoming.get(byDimse)).toMatchObject({ source: 'dimse', client: 'ASKER', instanceCount: 2 });
  });

  it("the policy's admission refuses an N-ACTION like a POST: the reason becomes the DIMSE status", async () => {
    const asked: string[] = [];
    let refusal = new AppError('unavailable', 'upstream down', { retryAfter: 30 });
    const gate: CommitmentPolicy = {
      id: 'gate',
      describe: async () => 'admits nothing',
      expectedRate: () => 1000,
      process: async () => {},
      admit: async (t) => {
        asked.push(t.transactionUid);
        throw refusal;
      },
    };
    h.core.registerPolicy(gate);
    await h.core.usePolicy('gate');
    await h.core.usePolicy('gate', 'dimse');
    try {
      const uids = [randomUid(), randomUid(), randomUid(), randomUid()];
      expect(await post(uids[0]!)).toBe(503);
      expect(await nAction(uids[1]!)).toBe(DIMSE_STATUS.ResourceLimitation);
      refusal = new AppError('bad-request', 'the upstream says the request is wrong');
      expect(await post(uids[2]!)).toBe(400);
      expect(await nAction(uids[3]!)).toBe(DIMSE_STATUS.InvalidArgumentValue);
      expect(asked).toEqual(uids);
      for (const uid of uids) expect(await h.core.incoming.get(uid)).toBeUndefined();
    } finally {
      await h.core.usePolicy('library');
      await h.core.usePolicy('library', 'dimse');
    }
  });

  it('a Transaction UID in use is refused on both sides, whichever side took it first', async () => {
    const uid = randomUid();
    expect(await nAction(uid)).toBe(DIMSE_STATUS.Success);
    expect(await post(uid)).toBe(409);
    expect(await nAction(uid)).toBe(DIMSE_STATUS.ProcessingFailure);
    expect(await h.core.incoming.get(uid)).toMatchObject({ source: 'dimse' });
  });
});
