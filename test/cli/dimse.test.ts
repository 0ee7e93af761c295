import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../core/dimse/dimse-fixtures';
import { runCliToEnd, startServe } from '../support/cli';
import { tempDir, type GeneratedInstance } from '../support/fixtures';
import { orthancWithLibrary, type OrthancHandle } from '../support/orthanc';

/** The built command against a real Orthanc: commit to dicom://, and serve as SCP for Orthanc. */
describe('safekeep with a DIMSE archive (Orthanc)', () => {
  let root: string;
  let lib: string;
  let instances: GeneratedInstance[];
  let orthanc: OrthancHandle;
  let safekeepPort: number;

  beforeAll(async () => {
    root = tempDir();
    ({ lib, instances, orthanc, safekeepPort } = await orthancWithLibrary(root, { studies: 1, seriesPerStudy: 2, instancesPerSeries: 3 }, 4));
  }, 60_000);
  afterAll(async () => {
    await orthanc?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('commit --to dicom://AET@HOST:PORT: per-instance outcomes from the N-EVENT-REPORT, exit 1, CSV', async () => {
    const report = path.join(root, 'dimse.csv');
    const r = await runCliToEnd([
      'commit', lib, '--to', `dicom://${orthanc.aeTitle}@127.0.0.1:${orthanc.dicomPort}`,
      '--ae-title', 'SAFEKEEP', '--dimse-port', String(safekeepPort), '--report', report, '--data', path.join(root, 'c1'), '--quiet',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Committed 4 of 6 instance\(s\) in 1 request\(s\); 2 failed/);
    const rows = parse(fs.readFileSync(report, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.fromEntries(rows.map((x) => [x.sop_instance_uid, x.failure_reason || x.outcome]))).toEqual(
      Object.fromEntries(instances.map((i, k) => [i.sopInstanceUid, k < 4 ? 'committed' : '0112H'])),
    );
  });

  it('commit with a calling AE title Orthanc does not know: exit 2 at the C-ECHO, with the reason', async () => {
    const r = await runCliToEnd([
      'commit', lib, '--to', `dicom://${orthanc.aeTitle}@127.0.0.1:${orthanc.dicomPort}`, '--ae-title', 'NOBODY', '--dimse-port', '0', '--data', path.join(root, 'c2'), '--quiet',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/C-ECHO to .* as NOBODY failed: .*; the archive must list NOBODY at 127\.0\.0\.1:\d+ as a known AE\n$/);
  });

  it('serve --dimse-port --peer: Orthanc asks Safekeep for commitment and sees its answer', async () => {
    const server = await startServe([
      '--data', path.join(root, 's'), '--library', lib, '--no-auth',
      '--dimse-port', String(safekeepPort), '--ae-title', 'SAFEKEEP', '--peer', `${orthanc.aeTitle}@127.0.0.1:${orthanc.dicomPort}`,
    ]);
    try {
      expect(server.stdout()).toMatch(new RegExp(`DICOM listener SAFEKEEP on 127\\.0\\.0\\.1:${safekeepPort}`));
      const ask = [...instances.slice(0, 2), { sopClassUid: instances[0]!.sopClassUid, sopInstanceUid: '1.2.3.4.5.6.7.8' }];
      const { ID: uid } = await orthanc.rest<{ ID: string }>('POST', '/modalities/safekeep/storage-commitment', {
        DicomInstances: ask.map((i) => ({ SOPClassUID: i.sopClassUid, SOPInstanceUID: i.sopInstanceUid })),
      });
      let report: { Status: string; Success?: { SOPInstanceUID: string }[]; Failures?: { SOPInstanceUID: string; FailureReason: number }[] };
      for (;;) {
        report = await orthanc.rest('GET', `/storage-commitment/${uid}`);
        if (report.Status !== 'Pending') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(report.Success!.map((s) => s.SOPInstanceUID).sort()).toEqual(instances.slice(0, 2).map((i) => i.sopInstanceUid).sort());
      expect(report.Failures!.map((f) => [f.SOPInstanceUID, f.FailureReason])).toEqual([['1.2.3.4.5.6.7.8', 0x0112]]);
      // The transaction is in Safekeep's incoming list, through the app's API; its report is marked sent once
      // Orthanc's N-EVENT-REPORT-RSP is in (Orthanc may show the result a moment before).
      const row = await pollUntil('the report to be marked sent', 10_000, async () => {
        const list = await fetch(`${server.url}/api/incoming-list`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-safekeep-request': '1' }, body: '{"source":"dimse"}' });
        const body = (await list.json()) as { value: { rows: { transactionUid: string; client: string; reportState: string }[] } };
        const r = body.value.rows.find((x) => x.transactionUid === uid);
        return r?.reportState === 'sent' ? r : undefined;
      });
      expect(row).toMatchObject({ transactionUid: uid, client: orthanc.aeTitle, reportState: 'sent' });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
