import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliToEnd } from '../support/cli';
import { encodeDicom, randomUid, writeDicomFile } from '../support/dicom-writer';
import { CT_IMAGE, makeLibrary, tempDir, type GeneratedInstance } from '../support/fixtures';

/** `safekeep scan` (the built command) names duplicate copies, conflicts and truncated Pixel Data apart. */
describe('safekeep scan: second copies and truncated pixel data', () => {
  let root: string;
  let lib: string;
  let a: GeneratedInstance;
  let copy: string;
  let conflict: string;
  let cut: string;

  beforeAll(() => {
    root = tempDir();
    lib = path.join(root, 'lib');
    [a] = makeLibrary(lib, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 2 }) as [GeneratedInstance];
    // In folders walked after study1/ (files come before folders, names in order): the first file wins.
    for (const d of ['x', 'y', 'z']) fs.mkdirSync(path.join(lib, d));
    copy = path.join(lib, 'x', 'copy.dcm');
    fs.copyFileSync(a.path, copy);
    conflict = path.join(lib, 'y', 'conflict.dcm');
    writeDicomFile(conflict, { ...a, patientName: 'SOMEONE^ELSE', pixelBytes: 64 });
    cut = path.join(lib, 'z', 'cut.dcm');
    const bytes = encodeDicom({ sopClassUid: CT_IMAGE, sopInstanceUid: randomUid(), studyUid: randomUid(), seriesUid: randomUid(), pixelBytes: 20_000 });
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 5000));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('prints each kind under its own heading, and JSON with its own reason', async () => {
    const data = path.join(root, 'data');
    const text = await runCliToEnd(['scan', lib, '--data', data]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Library: 2 studies, 2 series, 3 instances (1 flagged: truncated pixel data)');
    expect(text.stdout).toMatch(/This scan: 5 files seen, 3 indexed \(1 flagged\), 0 unchanged, 0 skipped, 1 conflict, 1 duplicate copy, 0 removed/);
    expect(text.stdout).toContain(`Duplicate copies (identical to an indexed file; not indexed) (1):\n  ${copy}: Duplicate copy of an indexed file — Identical to ${a.path}`);
    expect(text.stdout).toContain(`${conflict}: Conflict: a different file with the same SOP Instance UID — A different file with the same SOP Instance UID as ${a.path}`);
    expect(text.stdout).toContain(`Indexed with a warning (1):\n  ${cut}: Pixel data truncated — Pixel Data truncated: declares 20000 bytes, the file has 15000`);

    const j = await runCliToEnd(['scan', lib, '--json', '--data', data]);
    expect(j.code).toBe(0);
    const summary = JSON.parse(j.stdout);
    expect(summary).toMatchObject({ instances: 3, skipped: 0, conflicts: 1, duplicates: 1, flagged: 1 });
    const byPath = Object.fromEntries(summary.problems.map((p: { path: string }) => [p.path, p]));
    expect(byPath[copy]).toMatchObject({ status: 'duplicate', reason: 'duplicate-copy', reasonText: 'Duplicate copy of an indexed file' });
    expect(byPath[conflict]).toMatchObject({ status: 'conflict', reason: 'uid-conflict' });
    expect(byPath[cut]).toMatchObject({ status: 'flagged', reason: 'pixel-data-truncated', message: 'Pixel Data truncated: declares 20000 bytes, the file has 15000' });
  });
});
