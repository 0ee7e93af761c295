/**
 * The built command against a real Orthanc: `commit --send-missing` stores what the archive lacks
 * (C-STORE) and commits it again; `compare` sets each local study beside C-FIND or QIDO-RS listings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrossCheckResult } from '../../src-shared/crosscheck';
import { runCliToEnd } from '../support/cli';
import { tempDir, type GeneratedInstance } from '../support/fixtures';
import { deleteFromOrthanc, orthancWithLibrary, startOrthanc, storeWithStorescu, type OrthancHandle } from '../support/orthanc';

describe('safekeep commit --send-missing and compare (Orthanc)', () => {
  let root: string;
  let lib: string;
  let instances: GeneratedInstance[];
  let orthanc: OrthancHandle;
  let safekeepPort: number;
  let to: string;
  const data = () => path.join(root, 'data');
  const count = async (o: OrthancHandle) => (await o.rest<{ CountInstances: number }>('GET', '/statistics')).CountInstances;

  beforeAll(async () => {
    root = tempDir();
    ({ lib, instances, orthanc, safekeepPort } = await orthancWithLibrary(root, { studies: 1, seriesPerStudy: 2, instancesPerSeries: 3 }, 4));
    to = `dicom://${orthanc.aeTitle}@127.0.0.1:${orthanc.dicomPort}`;
  }, 60_000);
  afterAll(async () => {
    await orthanc?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('commit --send-missing: the 2 missing instances are stored and committed in round 1; exit 0; the report says so', async () => {
    const report = path.join(root, 'verdicts.csv');
    const r = await runCliToEnd([
      'commit', lib, '--to', to, '--send-missing', '--rounds', '2', '--ae-title', 'SAFEKEEP', '--dimse-port', String(safekeepPort),
      '--report', report, '--data', data(), '--quiet',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Committed 4 of 6 instance\(s\) in 1 request\(s\); 2 failed; 0 not verified$/m);
    expect(r.stdout).toMatch(/^Send missing, round 1: stored 2 of 2; [\d.]+ instances\/s, [\d.]+ MB\/s; job \d+: 2 committed, 0 failed$/m);
    expect(r.stdout).toMatch(/^Committed 6 of 6 instance\(s\) \(2 after re-send\); 0 not committed$/m);
    expect(await count(orthanc)).toBe(6);
    const rows = parse(fs.readFileSync(report, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.fromEntries(rows.map((x) => [x.sop_instance_uid, `${x.outcome} ${x.detail}`.trim()]))).toEqual(
      Object.fromEntries(instances.map((i, k) => [i.sopInstanceUid, k < 4 ? 'committed' : 'committed Committed after re-send'])),
    );
  });

  it('compare: exit 0 while C-FIND lists every local instance; exit 1 with "committed but not listed" once Orthanc loses one', async () => {
    const ok = await runCliToEnd(['compare', lib, '--to', to, '--data', data(), '--quiet']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`^Compared 1 study\\(ies\\), 6 local instance\\(s\\), with C-FIND at ${orthanc.aeTitle}@127\\.0\\.0\\.1:${orthanc.dicomPort}: 6 listed, 0 not listed$`, 'm'));

    const gone = instances[5]!;
    await deleteFromOrthanc(orthanc, gone.sopInstanceUid);
    const text = await runCliToEnd(['compare', lib, '--to', to, '--data', data(), '--quiet']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^ {2}committed but not listed: 1; listed but not committed: 0$/m);
    expect(text.stdout).toContain(`  not listed: ${gone.path} (${gone.sopInstanceUid}) [committed]: committed but not listed`);
    const json = await runCliToEnd(['compare', lib, '--to', to, '--data', data(), '--json']);
    expect(json.code).toBe(1);
    const r = JSON.parse(json.stdout) as CrossCheckResult;
    expect(r.totals).toEqual({ studies: 1, local: 6, listed: 5, notListed: 1, committedNotListed: 1, listedNotCommitted: 0, errors: 0 });
    expect(r.studies[0]!.committedNotListed.map((i) => i.sopInstanceUid)).toEqual([gone.sopInstanceUid]);
  });

  it('compare by QIDO-RS to a DICOMweb archive never asked for commitment: listed but not committed, not listed', async () => {
    const web = await startOrthanc({ modalities: {}, dicomWeb: true });
    try {
      await storeWithStorescu(instances.slice(0, 4).map((i) => i.path), { aeTitle: web.aeTitle, port: web.dicomPort });
      const r = await runCliToEnd(['compare', lib, '--to', `${web.url}/dicom-web`, '--data', data(), '--json']);
      expect(r.code).toBe(1);
      const result = JSON.parse(r.stdout) as CrossCheckResult;
      expect(result).toMatchObject({ via: 'QIDO-RS', source: `${web.url}/dicom-web`, allListed: false });
      expect(result.totals).toEqual({ studies: 1, local: 6, listed: 4, notListed: 2, committedNotListed: 0, listedNotCommitted: 4, errors: 0 });
      expect(result.studies[0]!.notListed.every((i) => i.verdict === null)).toBe(true);
    } finally {
      await web.stop();
    }
  });

  it('commit --send-missing --json: one JSON document with the first answers, the rounds and the final count', async () => {
    // Orthanc lost instance 6 in the compare test; a new data folder verifies from scratch.
    const r = await runCliToEnd([
      'commit', lib, '--to', to, '--send-missing', '--json', '--ae-title', 'SAFEKEEP', '--dimse-port', String(safekeepPort), '--data', path.join(root, 'data-json'),
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { totals: { instances: number; committed: number }; sendMissing: { end: string; committedAfterResend: number; rounds: unknown[] }; final: unknown };
    expect(doc.totals).toMatchObject({ instances: 6, committed: 5 });
    expect(doc.sendMissing).toMatchObject({ end: 'all-committed', committedAfterResend: 1 });
    expect(doc.sendMissing.rounds).toHaveLength(1);
    expect(doc.final).toEqual({ instances: 6, committed: 6, notCommitted: 0 });
    expect(await count(orthanc)).toBe(6);
  });

  it('exit 2: an archive that cannot be asked, and settings of the other protocol', async () => {
    const none = await runCliToEnd(['compare', lib, '--to', 'dicom://NOBODY@127.0.0.1:1', '--data', data(), '--quiet']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^safekeep: Cannot list the studies at NOBODY@127\.0\.0\.1:1: could not connect to NOBODY at 127\.0\.0\.1:1 \(connection refused\)$/m);
    const wrong = await runCliToEnd(['commit', lib, '--to', to, '--send-missing', '--stow-url', 'http://x/dicom-web', '--data', data()]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe('safekeep: --stow-url and --qido-url are for DICOMweb archives; a dicom:// archive takes --storage-ae\n');
  });
});
