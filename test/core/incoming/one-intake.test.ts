/**
 * A DICOMweb POST and a DIMSE N-ACTION go through one intake: the same back-pressure and the same admission
 * by the policy, and a refused request leaves nothing stored (its Transaction UID may be used again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DicomwebRemoteConfig } from '../../../src-shared/remotes';
import { sendCommitmentRequest } from '../../../src-main/core/dimse/scu';
import { DIMSE_STATUS } from '../../../src-main/core/dimse/types';
import { flatRefs, postCommitment, randomUid } from '../../support/commitment';
import { startFaultServer } from '../../support/fault-server';
import { startDimse } from '../../support/host';
import { startOrigin, type OriginHarness } from '../../support/origin-harness';

describe('one intake for both protocols', () => {
  let h: OriginHarness;
  let port: number;
  beforeAll(async () => {
    h = await startOrigin();
    ({ port } = await startDimse(h.host, { aeTitle: 'KEEPER', host: '127.0.0.1', port: 0, peers: [{ aeTitle: 'ASKER', host: '127.0.0.1', port: 1 }] }));
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
    const before = h.core.incoming.config.maxPendingInstances;
    h.core.incoming.config.maxPendingInstances = 0;
    const [byPost, byDimse] = [randomUid(), randomUid()];
    try {
      expect(await post(byPost)).toBe(503);
      expect(await nAction(byDimse)).toBe(DIMSE_STATUS.ResourceLimitation);
      expect(await h.core.incoming.read.get(byPost)).toBeUndefined();
      expect(await h.core.incoming.read.get(byDimse)).toBeUndefined();
    } finally {
      h.core.incoming.config.maxPendingInstances = before;
    }
    // Nothing was kept: the same UIDs are taken once the load allows.
    expect(await post(byPost)).toBeLessThan(300);
    expect(await nAction(byDimse)).toBe(DIMSE_STATUS.Success);
    expect(await h.core.incoming.read.get(byDimse)).toMatchObject({ source: 'dimse', client: 'ASKER', instanceCount: 2 });
  });

  it("the policy's admission refuses an N-ACTION like a POST: the upstream's refusal becomes the DIMSE status", async () => {
    // Forward to an upstream archive that refuses: 503 (down: try later), then 400 (the request itself is wrong).
    let refusal = 503;
    const upstream = await startFaultServer(() => ({ status: refusal, body: JSON.stringify({ error: 'no' }) }));
    const config = { baseUrl: upstream.url, timeoutSeconds: 5 } as DicomwebRemoteConfig;
    const remote = (await h.host.call('remotes-save', { input: { kind: 'dicomweb', name: 'refusing upstream', config, secret: null } })).id;
    await h.core.policies.use(`forward:${remote}`, 'dicomweb');
    await h.core.policies.use(`forward:${remote}`, 'dimse');
    try {
      const uids = [randomUid(), randomUid(), randomUid(), randomUid()];
      expect(await post(uids[0]!)).toBe(503);
      expect(await nAction(uids[1]!)).toBe(DIMSE_STATUS.ResourceLimitation);
      refusal = 400;
      expect(await post(uids[2]!)).toBe(400);
      expect(await nAction(uids[3]!)).toBe(DIMSE_STATUS.InvalidArgumentValue);
      // Each was asked upstream (admission), and none was kept here.
      expect(upstream.seen.filter((x) => x.method === 'POST').map((x) => x.uid)).toEqual(uids);
      for (const uid of uids) expect(await h.core.incoming.read.get(uid)).toBeUndefined();
    } finally {
      await h.core.policies.use('library', 'dicomweb');
      await h.core.policies.use('library', 'dimse');
      await upstream.close();
    }
  });

  it('a Transaction UID in use is refused on both sides, whichever side took it first', async () => {
    const uid = randomUid();
    expect(await nAction(uid)).toBe(DIMSE_STATUS.Success);
    expect(await post(uid)).toBe(409);
    expect(await nAction(uid)).toBe(DIMSE_STATUS.ProcessingFailure);
    expect(await h.core.incoming.read.get(uid)).toMatchObject({ source: 'dimse' });
  });
});
