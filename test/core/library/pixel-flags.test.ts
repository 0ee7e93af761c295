import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src-main/core/scheduler';
import { verifyFile } from '../../../src-main/core/library/header-pool';
import { scanLibrary } from '../../../src-main/core/library/scanner';
import type { LibraryStore } from '../../../src-main/core/store/ports';
import { encodeDicom, randomUid } from '../../support/dicom-writer';
import { CT_IMAGE } from '../../support/fixtures';
import { useLibraryDb } from '../../support/library-db';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

/** Files whose Pixel Data is shorter than declared: indexed all the same, with a flag. */
describe('truncated Pixel Data', () => {
  const t = useLibraryDb();
  let lib: string;
  let repo: LibraryStore;
  beforeEach(() => ({ lib, repo } = t));

  /** Writes `bytes` without its last `cut` bytes. */
  const cutFile = (name: string, bytes: Buffer, cut: number) => {
    const p = path.join(lib, name);
    fs.writeFileSync(p, bytes.subarray(0, bytes.length - cut));
    return p;
  };
  const generated = (extra: object) =>
    encodeDicom({ sopClassUid: CT_IMAGE, sopInstanceUid: randomUid(), studyUid: randomUid(), seriesUid: randomUid(), patientName: 'CUT^FILE', ...extra });
  const problem = async (p: string) => (await repo.problems({ limit: 100, offset: 0 })).find((x) => x.path === p);


  it('indexes them with a flag that says how much is missing, counted and listed; complete files carry none', async () => {
    // 128 x 128 x 16 bit: 32768 bytes of Pixel Data, then 138 bytes of other elements (cut 1000: 31906 left)
    const ct = fs.readFileSync(path.join(PYDICOM, 'CT_small.dcm'));
    const ctCut = cutFile('ct-cut.dcm', ct, 1000);
    const jpeg = fs.readFileSync(path.join(PYDICOM, 'JPEG2000.dcm')); // encapsulated
    const jpegCut = cutFile('jpeg2000-cut.dcm', jpeg, 100); // Pixel Data is the last 274 bytes
    const native = cutFile('native-cut.dcm', generated({ pixelBytes: 100_000 }), 30_000);
    const fragments = cutFile('fragments-cut.dcm', generated({ encapsulatedFragments: [30_000, 20_001] }), 20_000);
    fs.writeFileSync(path.join(lib, 'ct-whole.dcm'), ct);
    fs.writeFileSync(path.join(lib, 'native-whole.dcm'), generated({ pixelBytes: 100_000 }));
    fs.writeFileSync(path.join(lib, 'fragments-whole.dcm'), generated({ encapsulatedFragments: [30_000, 20_001] }));
    fs.copyFileSync(path.join(PYDICOM, 'JPEG2000.dcm'), path.join(lib, 'jpeg2000-whole.dcm'));

    const p = await scanLibrary(repo, [lib], systemClock);
    // The first file found wins (names in order: the cut ones): the whole CT and JPEG 2000 copies wait as conflicts.
    expect(p).toMatchObject({ filesSeen: 8, indexed: 6, flagged: 4, conflicts: 2, skipped: 0 });
    const flagged = (await repo.problems({ limit: 100, offset: 0 })).filter((x) => x.status === 'flagged');
    expect(flagged.map((x) => path.basename(x.path)).sort()).toEqual(['ct-cut.dcm', 'fragments-cut.dcm', 'jpeg2000-cut.dcm', 'native-cut.dcm']);
    expect(await problem(ctCut)).toMatchObject({ reason: 'pixel-data-truncated', message: 'Pixel Data truncated: declares 32768 bytes, the file has 31906' });
    expect((await problem(jpegCut))?.message).toMatch(/^Encapsulated Pixel Data truncated/);
    expect(await problem(native)).toMatchObject({ reason: 'pixel-data-truncated', message: 'Pixel Data truncated: declares 100000 bytes, the file has 70000' });
    expect(await problem(fragments)).toMatchObject({
      reason: 'pixel-data-truncated',
      message: 'Encapsulated Pixel Data truncated: its fragments end before the Sequence Delimitation Item (FFFE,E0DD)',
    });
    for (const whole of ['native-whole.dcm', 'fragments-whole.dcm']) expect((await problem(path.join(lib, whole))), whole).toBeUndefined();
    for (const whole of ['ct-whole.dcm', 'jpeg2000-whole.dcm']) expect((await problem(path.join(lib, whole)))?.status, whole).toBe('conflict');
    expect(await repo.summary()).toMatchObject({ instances: 6, flagged: 4, conflicts: 2 });
  });

  it('flags a truncated pydicom sample when it is the only copy, and the commit-time re-read refuses it with the same words', async () => {
    const ctCut = cutFile('ct-cut.dcm', fs.readFileSync(path.join(PYDICOM, 'CT_small.dcm')), 1000);
    const jpegCut = cutFile('jpeg2000-cut.dcm', fs.readFileSync(path.join(PYDICOM, 'JPEG2000.dcm')), 100);
    const p = await scanLibrary(repo, [lib], systemClock);
    expect(p).toMatchObject({ indexed: 2, flagged: 2 });
    expect(await problem(ctCut)).toMatchObject({ status: 'flagged', message: 'Pixel Data truncated: declares 32768 bytes, the file has 31906' });
    expect((await problem(jpegCut))?.message).toMatch(/^Encapsulated Pixel Data truncated/);
    // Indexed all the same: the instance can be named in a commitment request.
    expect(await repo.summary()).toMatchObject({ instances: 2, flagged: 2, skipped: 0 });
    for (const f of [ctCut, jpegCut]) {
      const v = verifyFile(f);
      expect(v).toMatchObject({ ok: true, complete: false, message: (await problem(f))!.message });
    }
    // A rescan of the unchanged files keeps the flags without reading them again; a repaired file loses its flag.
    expect(await scanLibrary(repo, [lib], systemClock)).toMatchObject({ unchanged: 2, flagged: 0 });
    expect((await repo.summary()).flagged).toBe(2);
    fs.copyFileSync(path.join(PYDICOM, 'CT_small.dcm'), ctCut);
    fs.utimesSync(ctCut, new Date(), new Date(Date.now() + 5000));
    await scanLibrary(repo, [lib], systemClock);
    expect(await problem(ctCut)).toBeUndefined();
    expect(await repo.summary()).toMatchObject({ instances: 2, flagged: 1 });
  });

  it('does not flag complete encapsulated files with elements after Pixel Data (pydicom RLE, JPEG-LS, JPEG 2000 samples)', async () => {
    // These samples end with Data Set Trailing Padding or other elements, not with the Sequence Delimitation
    // Item: their fragments are walked instead. A cut inside the fragments is still found.
    const samples = ['MR_small_RLE.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'MR_small_jp2klossless.dcm'];
    for (const f of samples) fs.copyFileSync(path.join(PYDICOM, f), path.join(lib, f));
    const p = await scanLibrary(repo, [lib], systemClock);
    // The three are one MR instance in three encodings: one is indexed, two wait as conflicts; none is flagged.
    expect(p).toMatchObject({ indexed: 1, conflicts: 2, flagged: 0 });
    for (const f of samples) {
      expect((await problem(path.join(lib, f)))?.status, f).not.toBe('flagged');
      expect(verifyFile(path.join(lib, f)), f).toMatchObject({ ok: true, complete: true });
    }
    const elsewhere = fs.mkdtempSync(path.join(path.dirname(lib), 'cut-'));
    const rle = fs.readFileSync(path.join(PYDICOM, 'MR_small_RLE.dcm'));
    const cut = path.join(elsewhere, 'rle-cut.dcm');
    fs.writeFileSync(cut, rle.subarray(0, rle.length - 2000));
    expect(verifyFile(cut)).toMatchObject({ ok: true, complete: false, message: expect.stringMatching(/^Encapsulated Pixel Data truncated/) });
  });
});
