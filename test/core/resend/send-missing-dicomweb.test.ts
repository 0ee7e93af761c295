/**
 * "Send missing" and the cross-check for a DICOMweb remote, with real peers: missing instances go by
 * STOW-RS to Orthanc's DICOMweb plugin (the remote's STOW-RS base URL), the archive's listing comes from
 * its QIDO-RS (the remote's QIDO-RS base URL). Orthanc's plugin offers no storage commitment, so the
 * remote's base URL is a DICOMweb commitment gateway: a second Safekeep's origin server forwarding
 * each request to Orthanc's DIMSE storage commitment SCP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMITTED_AFTER_RESEND } from '../../../src-shared/resend';
import { randomUid, writeDicomFile } from '../../support/dicom-writer';
import type { GeneratedInstance } from '../../support/fixtures';
import { startFinishHarness, type FinishHarness } from '../../support/finish-harness';

describe('send missing and cross-check with Orthanc (STOW-RS, QIDO-RS)', () => {
  let h: FinishHarness;
  let inst: GeneratedInstance[];
  const web = async (name: string, extra: Record<string, unknown>) =>
    (
      await h.core.store.remotes.save(
        { kind: 'dicomweb', name, config: { baseUrl: h.gatewayUrl!, auth: 'bearer', timeoutSeconds: 10, ...extra }, secret: 'gateway-secret' },
        Date.now(),
      )
    ).id;

  beforeAll(async () => {
    h = await startFinishHarness({ studies: 2, seriesPerStudy: 1, instancesPerSeries: 3 }, (_, k) => k < 3, { dicomWeb: true, gateway: true });
    inst = h.instances;
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('a STOW-RS base URL that answers 404: every instance keeps its failure, nothing is committed', async () => {
    const bad = await web('bad stow', { stowBaseUrl: `${h.orthanc.url}/no-such-root` });
    await h.commit(bad);
    const s = await h.sendMissing(bad);
    expect(s).toMatchObject({ end: 'rounds-spent', selected: 3, committedAfterResend: 0, leftCount: 3 });
    expect(s.rounds).toEqual([{ round: 1, selected: 3, stored: 0, notStored: { failed: 3 }, jobId: null, committed: 0, failed: 0, pending: 0 }]);
    const kept = await h.core.store.resend.latestStoreOutcomes(bad, inst.slice(3).map((i) => i.sopInstanceUid));
    expect([...kept.values()].map((o) => [o.protocol, o.status, o.retry])).toEqual(Array(3).fill(['dicomweb', 'failed', false]));
    expect(kept.get(inst[3]!.sopInstanceUid)!.text).toMatch(/^HTTP 404/);
    expect(s.left[0]!.why).toMatch(/^failed: HTTP 404.*; commitment: 0112H No such object instance$/);
    for (const i of inst.slice(3)) expect(await h.orthancId(i.sopInstanceUid)).toBeNull();
  });

  it('stores the 0112H instances by STOW-RS and commits them again; a file changed since the scan is not sent', async () => {
    const remote = await web('orthanc web', { stowBaseUrl: `${h.orthanc.url}/dicom-web`, qidoBaseUrl: `${h.orthanc.url}/dicom-web` });
    await h.commit(remote);
    const last = inst[5]!;
    writeDicomFile(last.path, { sopClassUid: last.sopClassUid, sopInstanceUid: last.sopInstanceUid, studyUid: last.studyUid, seriesUid: randomUid(), pixelBytes: 512 });

    const s = await h.sendMissing(remote, { rounds: 2 });
    expect(s).toMatchObject({ end: 'rounds-spent', selected: 3, committedAfterResend: 2, leftCount: 1 });
    expect(s.rounds).toEqual([{ round: 1, selected: 3, stored: 2, notStored: { 'file-changed': 1 }, jobId: expect.any(Number), committed: 2, failed: 0, pending: 0 }]);
    expect(s.left[0]).toMatchObject({ sopInstanceUid: last.sopInstanceUid, why: expect.stringMatching(/file changed since the scan: its Series Instance UID is now/) });
    for (const i of inst.slice(3, 5)) expect(await h.orthancId(i.sopInstanceUid)).not.toBeNull();
    expect(await h.orthancId(last.sopInstanceUid)).toBeNull();
    const kept = await h.core.store.resend.latestStoreOutcomes(remote, [inst[3]!.sopInstanceUid]);
    expect(kept.get(inst[3]!.sopInstanceUid)).toMatchObject({ protocol: 'dicomweb', status: 'stored', text: 'stored', round: 1 });
    const v = await h.core.store.resend.verdictsOf(remote, inst.map((i) => i.sopInstanceUid));
    expect(inst.map((i) => v.get(i.sopInstanceUid)!.detail ?? v.get(i.sopInstanceUid)!.outcome)).toEqual([
      'committed', 'committed', 'committed', COMMITTED_AFTER_RESEND, COMMITTED_AFTER_RESEND, expect.stringMatching(/./),
    ]);
    expect(v.get(last.sopInstanceUid)).toMatchObject({ outcome: 'failed', failureReason: 0x0112 });

    // Cross-check by QIDO-RS; then Orthanc loses a committed instance.
    const clean = await h.crossCheck(remote);
    expect(clean).toMatchObject({ via: 'QIDO-RS', source: `${h.orthanc.url}/dicom-web`, allListed: false });
    expect(clean.totals).toEqual({ studies: 2, local: 6, listed: 5, notListed: 1, committedNotListed: 0, listedNotCommitted: 0, errors: 0 });
    await h.orthanc.rest('DELETE', `/instances/${await h.orthancId(inst[1]!.sopInstanceUid)}`);
    const r = await h.crossCheck(remote);
    expect(r.totals).toEqual({ studies: 2, local: 6, listed: 4, notListed: 2, committedNotListed: 1, listedNotCommitted: 0, errors: 0 });
    const s1 = r.studies.find((x) => x.studyUid === inst[0]!.studyUid)!;
    expect(s1.committedNotListed).toEqual([{ sopInstanceUid: inst[1]!.sopInstanceUid, seriesUid: inst[1]!.seriesUid, filePath: inst[1]!.path, verdict: 'committed' }]);
  });

  it('a QIDO-RS base URL whose answers are not DICOM JSON: each study says why, nothing is called listed', async () => {
    // Orthanc's own REST API at the same path answers with its own JSON (or 404 for a DICOM UID).
    const garbage = await web('garbage qido', { qidoBaseUrl: h.orthanc.url });
    const r = await h.crossCheck(garbage);
    expect(r.allListed).toBe(false);
    expect(r.totals).toMatchObject({ studies: 2, errors: 2, listed: 0, notListed: 0 });
    expect(r.studies.map((s) => s.error)).toEqual([expect.stringMatching(/QIDO-RS/), expect.stringMatching(/QIDO-RS/)]);
  });
});
