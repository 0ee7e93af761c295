import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ScanProgress } from '../../../src-shared/library';
import { scanLibrary } from '../../../src-main/core/library/scanner';
import type { LibraryStore } from '../../../src-main/core/store/ports';
import { encodeDicom, randomUid, writeDicomFile } from '../../support/dicom-writer';
import { CT_IMAGE, makeLibrary } from '../../support/fixtures';
import { useLibraryDb } from '../../support/library-db';
import { systemClock } from '../../../src-main/core/scheduler';

describe('library scanner', () => {
  const t = useLibraryDb();
  let root: string;
  let lib: string;
  let repo: LibraryStore;
  beforeEach(() => ({ root, lib, repo } = t));

  const find = async (uid: string) => (await repo.findInstances([uid])).get(uid);

  it('indexes nested folders of any file name, records non-DICOM files with a reason, and never stops', async () => {
    const made = makeLibrary(lib, { studies: 2, seriesPerStudy: 2, instancesPerSeries: 5 });
    fs.writeFileSync(path.join(lib, 'README.txt'), 'not an image');
    fs.writeFileSync(path.join(lib, 'study1', 'empty'), '');
    const cut = encodeDicom({ sopClassUid: CT_IMAGE, sopInstanceUid: randomUid(), studyUid: randomUid(), seriesUid: randomUid() });
    fs.writeFileSync(path.join(lib, 'study1', 'cut.dcm'), cut.subarray(0, 200));
    writeDicomFile(path.join(lib, 'nouid.dcm'), { sopClassUid: CT_IMAGE, sopInstanceUid: randomUid(), studyUid: randomUid(), seriesUid: randomUid(), omit: ['studyUid'] });

    const p = await scanLibrary(repo, [lib], systemClock);
    expect(p).toMatchObject({ state: 'done', filesSeen: 24, indexed: 20, skipped: 4, conflicts: 0, unchanged: 0 });
    expect(await repo.summary()).toMatchObject({ studies: 2, series: 4, instances: 20, skipped: 4 });
    const problems = Object.fromEntries((await repo.problems({ limit: 10, offset: 0 })).map((x) => [path.basename(x.path), x.reason]));
    expect(problems).toEqual({ 'README.txt': 'not-dicom', empty: 'not-dicom', 'cut.dcm': 'truncated', 'nouid.dcm': 'missing-uid' });
    const one = (await find(made[7]!.sopInstanceUid))!;
    expect(one).toMatchObject({ path: made[7]!.path, sopClassUid: CT_IMAGE, studyUid: made[7]!.studyUid, seriesUid: made[7]!.seriesUid });
    // Header-only: far fewer bytes read than the files hold once pixel data is large.
    expect(p.bytesRead).toBeLessThanOrEqual(p.bytesOfFiles);
  });

  it('reads only headers of large image files', async () => {
    makeLibrary(lib, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 10, pixelBytes: 512 * 1024 });
    const p = await scanLibrary(repo, [lib], systemClock);
    expect(p.indexed).toBe(10);
    expect(p.bytesRead / p.bytesOfFiles).toBeLessThan(0.05);
  });

  it('rescans incrementally: unchanged files are skipped, changed re-read, deleted removed', async () => {
    const made = makeLibrary(lib, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 6 });
    await scanLibrary(repo, [lib], systemClock);
    // Change one file (new instance in it), delete another, add a new one.
    const replacement = randomUid();
    writeDicomFile(made[0]!.path, { ...made[0]!, sopInstanceUid: replacement, pixelBytes: 1000 });
    fs.rmSync(made[1]!.path);
    writeDicomFile(path.join(lib, 'new.dcm'), { ...made[2]!, sopInstanceUid: randomUid() });
    const p = await scanLibrary(repo, [lib], systemClock);
    expect(p).toMatchObject({ filesSeen: 6, unchanged: 4, indexed: 2, removed: 1 });
    expect(await find(made[0]!.sopInstanceUid)).toBeUndefined();
    expect((await find(replacement))?.path).toBe(made[0]!.path);
    expect(await find(made[1]!.sopInstanceUid)).toBeUndefined();
    expect((await repo.summary()).instances).toBe(6);
  });

  it('records a second copy of an instance as waiting (a duplicate copy) and promotes it when the first goes', async () => {
    const [a] = makeLibrary(lib, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 1 });
    fs.mkdirSync(path.join(lib, 'zz'));
    const copy = path.join(lib, 'zz', 'copy.dcm'); // walked after study1/ (name order)
    fs.copyFileSync(a!.path, copy);
    const p = await scanLibrary(repo, [lib], systemClock);
    expect(p).toMatchObject({ indexed: 1, duplicates: 1, conflicts: 0 });
    expect((await find(a!.sopInstanceUid))!.path).toBe(a!.path);
    const waiting = (await repo.problems({ limit: 10, offset: 0 }))[0]!;
    expect(waiting).toMatchObject({ path: copy, status: 'duplicate', reason: 'duplicate-copy' });
    expect(waiting.message).toContain(a!.path);
    // Scanning again does not flip the two.
    await scanLibrary(repo, [lib], systemClock, { full: true });
    expect((await find(a!.sopInstanceUid))!.path).toBe(a!.path);
    fs.rmSync(a!.path);
    await scanLibrary(repo, [lib], systemClock);
    expect((await find(a!.sopInstanceUid))!.path).toBe(copy);
    expect(await repo.summary()).toMatchObject({ conflicts: 0, duplicates: 0 });
  });

  it('reports progress and can be cancelled without losing what was indexed', async () => {
    makeLibrary(lib, { studies: 4, seriesPerStudy: 5, instancesPerSeries: 50 });
    const controller = new AbortController();
    const seen: ScanProgress[] = [];
    const p = await scanLibrary(repo, [lib], systemClock, {
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (x) => {
        seen.push(x);
        if (x.filesSeen >= 300) controller.abort();
      },
    });
    expect(p.state).toBe('cancelled');
    expect(p.filesSeen).toBeLessThan(1000);
    expect(p.filesSeen).toBeGreaterThanOrEqual(300);
    expect(seen[0]!.state).toBe('running');
    expect(seen.at(-1)!.state).toBe('cancelled');
    const counts = seen.map((s) => s.filesSeen);
    expect(counts).toEqual([...counts].sort((x, y) => x - y));
    // Everything read before the cancel is kept, and a cancelled scan removes nothing.
    expect((await repo.summary()).instances).toBe(p.indexed);
    const again = await scanLibrary(repo, [lib], systemClock);
    expect(again).toMatchObject({ state: 'done', unchanged: p.indexed, indexed: 1000 - p.indexed, removed: 0 });
  });

  it('refuses a folder that does not exist with a clear error', async () => {
    await expect(scanLibrary(repo, [path.join(root, 'nope')], systemClock)).rejects.toThrow(/Cannot read .*nope: ENOENT/);
  });

  it('scans a single file given as a root', async () => {
    const [a] = makeLibrary(lib, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 2 });
    const p = await scanLibrary(repo, [a!.path], systemClock);
    expect(p).toMatchObject({ filesSeen: 1, indexed: 1 });
  });
});
