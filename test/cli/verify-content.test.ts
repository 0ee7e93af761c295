/**
 * The built command against a real Orthanc: `commit --verify-content` retrieves the archive's copies by C-GET
 * and compares them; `verify-content` checks again later; a bad value is a usage error (exit 2).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContentSummary } from '../../src-shared/content';
import { runCliToEnd } from '../support/cli';
import { writeDicomFile } from '../support/dicom-writer';
import { tempDir, type GeneratedInstance } from '../support/fixtures';
import { deleteFromOrthanc, orthancWithLibrary, storeWithStorescu, type OrthancHandle } from '../support/orthanc';

describe('safekeep commit --verify-content and verify-content (Orthanc, C-GET)', () => {
  let root: string;
  let lib: string;
  let instances: GeneratedInstance[];
  let orthanc: OrthancHandle;
  let safekeepPort: number;
  let to: string;
  const data = () => path.join(root, 'data');
  const commit = (...more: string[]) =>
    runCliToEnd(['commit', lib, '--to', to, '--ae-title', 'SAFEKEEP', '--dimse-port', String(safekeepPort), '--data', data(), '--quiet', ...more]);
  const replaceInOrthanc = async (i: GeneratedInstance, file: string) => {
    await deleteFromOrthanc(orthanc, i.sopInstanceUid);
    await storeWithStorescu([file], { aeTitle: orthanc.aeTitle, port: orthanc.dicomPort });
  };

  beforeAll(async () => {
    root = tempDir();
    ({ lib, instances, orthanc, safekeepPort } = await orthancWithLibrary(root, { studies: 1, seriesPerStudy: 2, instancesPerSeries: 3 }, 6));
    to = `dicom://${orthanc.aeTitle}@127.0.0.1:${orthanc.dicomPort}`;
  }, 60_000);
  afterAll(async () => {
    await orthanc?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('exit 2 for a --verify-content that is neither all nor 0 < PERCENT ≤ 100 (nothing is asked), and for verify-content with nothing committed', async () => {
    for (const bad of ['0', '150', 'some']) {
      const r = await runCliToEnd(['commit', lib, '--to', to, '--verify-content', bad, '--data', data()]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`Invalid --verify-content "${bad}": use all, or a share in percent greater than 0 and at most 100 (e.g. 10)`);
    }
    const noWait = await runCliToEnd(['commit', lib, '--to', to, '--verify-content', 'all', '--no-wait', '--data', data()]);
    expect(noWait.code).toBe(2);
    expect(noWait.stderr).toBe('safekeep: --verify-content compares what the archive committed: it waits for commitment (leave out --no-wait)\n');
    expect(fs.existsSync(data())).toBe(false);
    // Nothing committed yet at this archive: nothing to compare.
    const none = await runCliToEnd(['verify-content', lib, '--to', to, '--data', path.join(root, 'fresh'), '--quiet']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`safekeep: Nothing to compare: no instance below ${lib} is committed at this archive (run safekeep commit first)\n`);
  });

  it('every copy the same: exit 0, the counts and the speed printed', async () => {
    const r = await commit('--verify-content', 'all');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Committed 6 of 6 instance\(s\)/m);
    expect(r.stdout).toMatch(
      new RegExp(`^Verify content \\(all\\): compared 6 of 6 committed instance\\(s\\) with C-GET at ${orthanc.aeTitle}@127\\.0\\.0\\.1:${orthanc.dicomPort}; [\\d.]+ instances/s, [\\d.]+ MB/s$`, 'm'),
    );
    expect(r.stdout).toMatch(/^ {2}6 same, 0 transcoded, 0 differ, 0 not retrievable, 0 changed locally$/m);
  });

  it('one copy replaced in Orthanc: exit 1 naming the first differing attribute; the report and verify-content show it', async () => {
    const gone = instances[4]!;
    const altered = path.join(root, 'altered.dcm');
    writeDicomFile(altered, {
      sopClassUid: gone.sopClassUid, sopInstanceUid: gone.sopInstanceUid, studyUid: gone.studyUid, seriesUid: gone.seriesUid,
      patientName: 'TEST^PATIENT1', patientId: 'OTHER', studyDate: '20260101', studyDescription: 'Study 1', modality: 'CT',
      seriesNumber: 2, seriesDescription: 'Series 2', instanceNumber: 2, pixelBytes: 512,
    });
    await replaceInOrthanc(gone, altered);
    const r = await commit('--verify-content', 'all');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}5 same, 0 transcoded, 1 differ, 0 not retrievable, 0 changed locally$/m);
    expect(r.stdout).toContain(`  differs: ${gone.path} (${gone.sopInstanceUid}): content differs: (0010,0020) PatientID: local "PID1", archive "OTHER"`);

    const report = await runCliToEnd(['report', '--remote', to, '--data', data()]);
    expect(report.stdout.split('\n').filter((l) => l.includes(gone.sopInstanceUid))).toEqual([expect.stringContaining('content differs: (0010,0020) PatientID')]);
    const safe = await runCliToEnd(['report', '--remote', to, '--safe-to-delete', '--data', data()]);
    expect(safe.stdout.trim().split('\n').sort()).toEqual(instances.filter((i) => i !== gone).map((i) => i.path).sort());

    // Later, a sample: 10% of 6 is one instance, but one per series makes 2; the failed one may be among them.
    const sample = await runCliToEnd(['verify-content', lib, '--to', to, '--sample', '10', '--data', data(), '--json']);
    const s = JSON.parse(sample.stdout) as ContentSummary;
    expect(s).toMatchObject({ via: 'C-GET', sample: 10, committed: 6, checked: 2 });
    expect(sample.code).toBe(s.counts.differs === 0 ? 0 : 1);

    // The archive gets the right object back: verify-content passes and the verdict is committed again.
    await replaceInOrthanc(gone, gone.path);
    const again = await runCliToEnd(['verify-content', lib, '--to', to, '--data', data(), '--quiet']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^ {2}6 same, 0 transcoded, 0 differ/m);
    const after = await runCliToEnd(['report', '--remote', to, '--data', data()]);
    expect(after.stdout).toContain(gone.sopInstanceUid);
    expect(after.stdout).not.toContain('content differs');
  });

  it('--json: one document, the commitment with the content check under verifyContent', async () => {
    const r = await commit('--verify-content', '50', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { totals: { instances: number; committed: number }; verifyContent: ContentSummary };
    expect(doc.totals).toMatchObject({ instances: 6, committed: 6 });
    expect(doc.verifyContent).toMatchObject({ sample: 50, committed: 6, checked: 3, counts: { same: 3, differs: 0 } });
  });
});
