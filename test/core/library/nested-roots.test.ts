import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openHost } from '../../../src-main/core/host/host';
import { systemClock } from '../../../src-main/core/scheduler';
import { scanLibrary } from '../../../src-main/core/library/scanner';
import type { LibraryStore } from '../../../src-main/core/store/ports';
import { makeLibrary, type GeneratedInstance } from '../../support/fixtures';
import { useLibraryDb } from '../../support/library-db';

/** Library folders that nest: a folder and one of its sub-folders both added. */
describe('nested library folders', () => {
  let parent: string;
  let child: string;
  let inChild: GeneratedInstance[];
  let outside: GeneratedInstance[];
  const t = useLibraryDb(({ lib }) => {
    parent = path.join(lib, 'export');
    child = path.join(parent, 'PAT1');
    inChild = makeLibrary(child, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 99 });
    outside = makeLibrary(path.join(parent, 'PAT2'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 5 });
  });
  let root: string;
  let repo: LibraryStore;
  beforeEach(() => ({ root, repo } = t));

  const scan = (...roots: string[]) => scanLibrary(repo, roots, systemClock);
  const rootOf = async (p: string) => (await t.rows<{ root: string }>(`SELECT root FROM library_files WHERE path = ?`, [p]))[0]?.root;
  const indexedPaths = async () => (await t.rows<{ path: string }>(`SELECT path FROM library_files WHERE status = 'indexed' ORDER BY path`)).map((r) => r.path);


  it('removing the inner folder keeps the 99 files the outer one still holds', async () => {
    await scan(parent);
    await scan(child);
    expect((await repo.summary()).instances).toBe(104);
    expect(await repo.removeRoot(child)).toEqual({ forgotten: 0, kept: 99 });
    expect((await repo.summary()).instances).toBe(104);
    expect(await rootOf(inChild[0]!.path)).toBe(parent);
    expect((await repo.roots()).map((r) => r.path)).toEqual([parent]);
    // The next scan of the outer folder finds them unchanged: nothing was lost.
    expect(await scan(parent)).toMatchObject({ unchanged: 104, indexed: 0, removed: 0 });
  });

  it('removing the outer folder keeps what the inner one covers and forgets the rest', async () => {
    // Scanned in this order, the outer folder's walk saw the inner folder's files last.
    await scan(child);
    await scan(parent);
    expect(await repo.removeRoot(parent)).toEqual({ forgotten: 5, kept: 99 });
    expect(await indexedPaths()).toEqual(inChild.map((i) => i.path).sort());
    expect((await repo.findInstances([outside[0]!.sopInstanceUid])).size).toBe(0);
    expect(await scan(child)).toMatchObject({ unchanged: 99, indexed: 0, removed: 0 });
  });

  it('gives each file to the closest folder, whatever the order of scans, and counts per folder', async () => {
    await scan(parent);
    expect(await rootOf(inChild[0]!.path)).toBe(parent);
    // Adding the inner folder takes its files over without reading them again.
    expect(await scan(child)).toMatchObject({ unchanged: 99, indexed: 0 });
    expect(await rootOf(inChild[0]!.path)).toBe(child);
    // A full rescan of the outer folder keeps them with the inner one.
    await scanLibrary(repo, [parent], systemClock, { full: true });
    expect(await rootOf(inChild[0]!.path)).toBe(child);
    expect(await rootOf(outside[0]!.path)).toBe(parent);
    expect((await repo.summary([child])).instances).toBe(99);
    expect((await repo.summary([parent])).instances).toBe(104);
    expect(await scan(parent)).toMatchObject({ unchanged: 104, indexed: 0, removed: 0 });
  });

  it("a scan of the outer folder does not drop files of an inner folder its walk cannot see (a linked folder)", async () => {
    const elsewhere = path.join(root, 'elsewhere');
    const linked = makeLibrary(elsewhere, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 3 });
    const link = path.join(parent, 'linked');
    fs.symlinkSync(elsewhere, link, 'dir'); // walks do not follow linked folders, except a folder given as such
    await scan(link);
    await scan(parent);
    expect((await repo.summary()).instances).toBe(104 + 3);
    expect((await repo.findInstances([linked[0]!.sopInstanceUid])).get(linked[0]!.sopInstanceUid)?.path).toBe(path.join(link, path.relative(elsewhere, linked[0]!.path)));
  });

  it('a forgotten holder hands its instance to a waiting copy that a remaining folder covers', async () => {
    const other = path.join(root, 'other');
    fs.mkdirSync(other);
    const keptCopy = path.join(other, 'copy.dcm');
    fs.copyFileSync(inChild[0]!.path, keptCopy);
    const sameFolderCopy = path.join(child, 'zz-copy.dcm'); // walked after the study folder
    fs.copyFileSync(inChild[0]!.path, sameFolderCopy);
    await scan(child);
    await scan(other);
    expect(await repo.summary()).toMatchObject({ instances: 99, duplicates: 2 });
    expect(await repo.removeRoot(child)).toEqual({ forgotten: 100, kept: 0 });
    const uid = inChild[0]!.sopInstanceUid;
    expect((await repo.findInstances([uid])).get(uid)?.path).toBe(keptCopy);
    expect(await repo.summary()).toMatchObject({ instances: 1, duplicates: 0, conflicts: 0 });
  });

  it('through the core: removing the inner folder answers what was kept and forgotten', async () => {
    const host = await openHost({ dataDir: path.join(root, 'core-data') });
    try {
      await host.call('library-scan', { paths: [parent] });
      await host.call('library-scan', { paths: [child] });
      const r = await host.call('library-remove-root', { path: child });
      expect(r).toEqual({ removed: 0, kept: 99 });
      expect(await host.call('library-summary', {})).toMatchObject({ instances: 104 });
    } finally {
      await host.stop();
    }
  });
});
