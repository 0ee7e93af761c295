/**
 * "Compare content" with real peers: the archive's copies come back by C-GET from Orthanc's DIMSE SCP and by
 * WADO-RS from its DICOMweb plugin (the DICOMweb remote commits through a second Safekeep's gateway, since
 * the plugin offers no storage commitment). One instance is replaced in Orthanc by a copy with the same UIDs
 * and another Patient's Name: that one, and only that one, fails its verdict with "content differs".
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRows, type TestStore } from '../../support/store';
import type { ContentProgress } from '../../../src-shared/content';
import { writeDicomFile } from '../../support/dicom-writer';
import type { GeneratedInstance } from '../../support/fixtures';
import { startFinishHarness, type FinishHarness } from '../../support/finish-harness';
import { storeWithStorescu } from '../../support/orthanc';

describe('verify content against Orthanc (C-GET, WADO-RS)', () => {
  let h: FinishHarness;
  let inst: GeneratedInstance[];
  let changed: GeneratedInstance;

  /** Orthanc keeps the first object stored under a UID: delete it, then store `file` in its place. */
  const replaceInOrthanc = async (i: GeneratedInstance, file: string) => {
    await h.orthanc.rest('DELETE', `/instances/${await h.orthancId(i.sopInstanceUid)}`);
    await storeWithStorescu([file], { aeTitle: h.orthanc.aeTitle, port: h.orthanc.dicomPort });
  };
  const verify = (remoteId: number, sample: 'all' | number = 'all') => h.host.call('migration-verify-content', { remoteId, selection: { paths: [h.lib] }, sample });
  const verdicts = async (remoteId: number) => {
    const v = await h.core.store.resend.verdictsOf(remoteId, inst.map((i) => i.sopInstanceUid));
    return inst.map((i) => `${v.get(i.sopInstanceUid)!.outcome}${v.get(i.sopInstanceUid)!.detail ? `: ${v.get(i.sopInstanceUid)!.detail}` : ''}`);
  };

  beforeAll(async () => {
    h = await startFinishHarness({ studies: 1, seriesPerStudy: 2, instancesPerSeries: 4, pixelBytes: 4096 }, () => true, { dicomWeb: true, gateway: true });
    inst = h.instances;
    changed = inst[2]!;
    // The same UIDs, another Patient's Name (makeLibrary's other attributes as they were).
    const altered = path.join(h.root, 'altered.dcm');
    writeDicomFile(altered, {
      sopClassUid: changed.sopClassUid, sopInstanceUid: changed.sopInstanceUid, studyUid: changed.studyUid, seriesUid: changed.seriesUid,
      patientName: 'SOMEONE^ELSE', patientId: 'PID1', studyDate: '20260101', studyDescription: 'Study 1', modality: 'CT',
      seriesNumber: 1, seriesDescription: 'Series 1', instanceNumber: 3, pixelBytes: 4096,
    });
    await replaceInOrthanc(changed, altered);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('C-GET: the replaced instance differs at (0010,0010) PatientName and fails its verdict; the 7 others are the same', async () => {
    const remote = await h.addDimseRemote();
    await h.commit(remote);
    expect(await verdicts(remote)).toEqual(Array(8).fill('committed'));
    const progress: ContentProgress[] = [];
    const off = h.host.events.on('content-progress', (p) => void progress.push(p));
    const s = await verify(remote).finally(off);
    expect(s).toMatchObject({ via: 'C-GET', source: `${h.orthanc.aeTitle}@127.0.0.1:${h.orthanc.dicomPort}`, sample: 'all', committed: 8, checked: 8, end: 'done' });
    expect(s.counts).toEqual({ same: 7, transcoded: 0, differs: 1, 'not-retrievable': 0, 'local-changed': 0 });
    expect(s.notSame).toEqual([
      expect.objectContaining({
        sopInstanceUid: changed.sopInstanceUid,
        filePath: changed.path,
        outcome: 'differs',
        attribute: '(0010,0010) PatientName',
        text: 'content differs: (0010,0010) PatientName: local "TEST^PATIENT1", archive "SOMEONE^ELSE"',
      }),
    ]);
    expect(progress.at(-1)).toMatchObject({ done: 8, total: 8, counts: s.counts });
    expect(await verdicts(remote)).toEqual(inst.map((i) => (i === changed ? 'failed: content differs: (0010,0010) PatientName' : 'committed')));

    // Every report reads the verdict: the Report screen's summary, and the safe-to-delete list leaves it out.
    const summary = await h.host.call('report-summary', { remoteId: remote });
    expect(summary.totals).toMatchObject({ instances: 8, committed: 7, failed: 1 });
    expect(summary.failed).toEqual([expect.objectContaining({ sopInstanceUid: changed.sopInstanceUid, reason: expect.stringContaining('content differs: (0010,0010) PatientName') })]);
    const safe = await h.host.call('report-safe-to-delete', { remoteId: remote });
    expect(safe.files).toBe(7);
    expect(safe.text).not.toContain(changed.path);
    // The latest run is kept for the Report screen.
    expect(await h.host.call('migration-content-result', { remoteId: remote })).toEqual(s);
  });

  it('WADO-RS: the same difference found through the DICOMweb plugin; an archive copy back to the original restores the verdict', async () => {
    const remote = (
      await h.core.store.remotes.save(
        { kind: 'dicomweb', name: 'orthanc web', config: { baseUrl: h.gatewayUrl!, auth: 'bearer', timeoutSeconds: 10, qidoBaseUrl: `${h.orthanc.url}/dicom-web` }, secret: 'gateway-secret' },
        Date.now(),
      )
    ).id;
    await h.commit(remote);
    const s = await verify(remote);
    expect(s).toMatchObject({ via: 'WADO-RS', source: `${h.orthanc.url}/dicom-web`, checked: 8 });
    expect(s.counts).toEqual({ same: 7, transcoded: 0, differs: 1, 'not-retrievable': 0, 'local-changed': 0 });
    expect(s.notSame.map((r) => [r.sopInstanceUid, r.attribute])).toEqual([[changed.sopInstanceUid, '(0010,0010) PatientName']]);
    expect((await verdicts(remote))[2]).toBe('failed: content differs: (0010,0010) PatientName');

    // The archive gets the right object back: a new check restores the verdict to what the archive answered.
    await replaceInOrthanc(changed, changed.path);
    const again = await verify(remote);
    expect(again.counts).toEqual({ same: 8, transcoded: 0, differs: 0, 'not-retrievable': 0, 'local-changed': 0 });
    expect(await verdicts(remote)).toEqual(Array(8).fill('committed'));
  });

  it('WADO-RS and C-GET: the archive holds the uncompressed form of a local RLE file: "transcoded", said so, not a failure', async () => {
    const pydicom = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
    const rleDir = path.join(h.root, 'rle');
    fs.mkdirSync(rleDir);
    fs.copyFileSync(path.join(pydicom, 'MR_small_RLE.dcm'), path.join(rleDir, 'MR_small_RLE.dcm'));
    await h.host.call('library-scan', { paths: [rleDir] });
    // Orthanc keeps the same instance uncompressed; it cannot produce RLE, so WADO-RS falls back to what it has.
    await storeWithStorescu([path.join(pydicom, 'MR_small.dcm')], { aeTitle: h.orthanc.aeTitle, port: h.orthanc.dicomPort });
    const remote = (
      await h.core.store.remotes.save(
        { kind: 'dicomweb', name: 'orthanc web rle', config: { baseUrl: h.gatewayUrl!, auth: 'bearer', timeoutSeconds: 10, qidoBaseUrl: `${h.orthanc.url}/dicom-web` }, secret: 'gateway-secret' },
        Date.now(),
      )
    ).id;
    await h.commit(remote, { paths: [rleDir] });
    const s = await h.host.call('migration-verify-content', { remoteId: remote, selection: { paths: [rleDir] }, sample: 'all' });
    expect(s.counts).toEqual({ same: 0, transcoded: 1, differs: 0, 'not-retrievable': 0, 'local-changed': 0 });
    expect(s.notSame[0]!.text).toBe('archive holds a transcoded copy: Explicit VR Little Endian (1.2.840.10008.1.2.1) (pixel data not compared)');
    const v = await h.core.store.resend.verdictsOf(remote, [s.notSame[0]!.sopInstanceUid]);
    expect(v.get(s.notSame[0]!.sopInstanceUid)!.outcome).toBe('committed');

    // C-GET: RLE is proposed first, Explicit VR Little Endian next; Orthanc sends what it holds.
    const dimse = await h.addDimseRemote('rle by C-GET');
    await h.commit(dimse, { paths: [rleDir] });
    const g = await h.host.call('migration-verify-content', { remoteId: dimse, selection: { paths: [rleDir] }, sample: 'all' });
    expect(g.counts).toEqual({ same: 0, transcoded: 1, differs: 0, 'not-retrievable': 0, 'local-changed': 0 });
    expect(g.notSame[0]!.text).toBe(s.notSame[0]!.text);
  });

  it('sampling: 10% of 8 committed instances checks one per series (2)', async () => {
    const remote = await h.addDimseRemote('sampled');
    await h.commit(remote);
    const s = await verify(remote, 10);
    expect(s).toMatchObject({ sample: 10, committed: 8, checked: 2 });
    expect(s.counts.same).toBe(2);
    const series = (await testRows<{ series_uid: string }>(h.core.store as TestStore, 'SELECT series_uid FROM content_checks WHERE run_id = ?', [s.runId])).map((r) => r.series_uid);
    expect(new Set(series)).toEqual(new Set([inst[0]!.seriesUid, inst[4]!.seriesUid]));
  });

  it('WADO answers that are not DICOM: every instance "not retrievable", verdicts untouched; a local file changed since the scan is not compared', async () => {
    // Orthanc's own REST API at that path answers with its JSON (or 404), not multipart DICOM.
    const remote = (
      await h.core.store.remotes.save(
        { kind: 'dicomweb', name: 'garbage wado', config: { baseUrl: h.gatewayUrl!, auth: 'bearer', timeoutSeconds: 10, qidoBaseUrl: h.orthanc.url }, secret: 'gateway-secret' },
        Date.now(),
      )
    ).id;
    await h.commit(remote);
    const s = await verify(remote);
    expect(s.counts).toEqual({ same: 0, transcoded: 0, differs: 0, 'not-retrievable': 8, 'local-changed': 0 });
    expect(s.notSame[0]!.text).toMatch(/^not retrievable: /);
    expect(await verdicts(remote)).toEqual(Array(8).fill('committed'));

    const dimse = await h.addDimseRemote('local change');
    await h.commit(dimse);
    const touched = inst[5]!;
    fs.utimesSync(touched.path, new Date(), new Date(Date.now() + 60_000));
    const c = await verify(dimse);
    expect(c.counts).toEqual({ same: 7, transcoded: 0, differs: 0, 'not-retrievable': 0, 'local-changed': 1 });
    expect(c.notSame[0]).toMatchObject({ sopInstanceUid: touched.sopInstanceUid, outcome: 'local-changed', text: expect.stringMatching(/^the local file changed since the scan/) });
    expect(await verdicts(dimse)).toEqual(Array(8).fill('committed'));
  });

  it('an archive that refuses the C-GET association (calling AE title it does not know): every instance "not retrievable" with why, verdicts untouched', async () => {
    const remote = await h.addDimseRemote('stranger');
    await h.commit(remote);
    const config = { aeTitle: h.orthanc.aeTitle, host: '127.0.0.1', port: h.orthanc.dicomPort, callingAeTitle: 'STRANGER', timeoutSeconds: 10 };
    await h.core.store.remotes.save({ kind: 'dimse', name: 'stranger', config }, Date.now(), remote);
    const s = await verify(remote);
    expect(s.counts).toEqual({ same: 0, transcoded: 0, differs: 0, 'not-retrievable': 8, 'local-changed': 0 });
    expect(new Set(s.notSame.map((r) => r.text)).size).toBe(1);
    expect(s.notSame[0]!.text).toMatch(/^not retrievable: C-GET failed: /);
    expect(await verdicts(remote)).toEqual(Array(8).fill('committed'));
  });
});
