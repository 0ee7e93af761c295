import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src-main/core/scheduler';
import { scanLibrary } from '../../../src-main/core/library/scanner';
import type { LibraryStore } from '../../../src-main/core/store/ports';
import { writeDicomFile } from '../../support/dicom-writer';
import { makeLibrary, type GeneratedInstance } from '../../support/fixtures';
import { useLibraryDb } from '../../support/library-db';

/** A second file of an instance: a duplicate copy when its bytes are identical, a conflict when they differ. */
describe('second copies of an instance', () => {
  const t = useLibraryDb();
  let lib: string;
  let a: GeneratedInstance;
  let repo: LibraryStore;

  const scan = () => scanLibrary(repo, [lib], systemClock);
  const holder = async () => (await repo.findInstances([a.sopInstanceUid])).get(a.sopInstanceUid)?.path;
  const problem = async (p: string) => (await repo.problems({ limit: 100, offset: 0 })).find((x) => x.path === p);
  const hashOf = async (p: string) => (await t.rows<{ h: string | null }>(`SELECT content_hash AS h FROM library_files WHERE path = ?`, [p]))[0]!.h;
  /** The same instance written again with other bytes (another patient name of `name.length` characters). */
  const variant = (to: string, name: string) => {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    writeDicomFile(to, { ...a, patientName: name, patientId: 'PID1', studyDate: '20260101', studyDescription: 'Study 1', modality: 'CT', seriesNumber: 1, seriesDescription: 'Series 1', instanceNumber: 1, pixelBytes: 512 });
  };

  beforeEach(() => {
    ({ lib, repo } = t);
    [a] = makeLibrary(lib, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 1 }) as [GeneratedInstance];
  });

  it('calls a byte-identical second copy a duplicate copy, and a different file under the same UID a conflict', async () => {
    const copy = path.join(lib, 'x', 'copy.dcm'); // walked after study1/ (name order): the first file wins
    fs.mkdirSync(path.dirname(copy));
    fs.copyFileSync(a.path, copy);
    const sameSize = path.join(lib, 'y', 'same-size.dcm');
    variant(sameSize, 'TEST^PATIENT9'); // as long as TEST^PATIENT1: same size, other bytes
    const otherSize = path.join(lib, 'z', 'other-size.dcm');
    variant(otherSize, 'SOMEONE^ELSE^ENTIRELY');
    expect(fs.statSync(sameSize).size).toBe(fs.statSync(a.path).size);
    expect(fs.statSync(otherSize).size).not.toBe(fs.statSync(a.path).size);

    const p = await scan();
    expect(p).toMatchObject({ indexed: 1, duplicates: 1, conflicts: 2 });
    expect(await holder()).toBe(a.path);
    expect(await problem(copy)).toMatchObject({ status: 'duplicate', reason: 'duplicate-copy', message: `Identical to ${a.path}` });
    expect(await problem(sameSize)).toMatchObject({ status: 'conflict', reason: 'uid-conflict', message: `A different file with the same SOP Instance UID as ${a.path}` });
    expect(await problem(otherSize)).toMatchObject({ status: 'conflict', reason: 'uid-conflict' });
    expect(await repo.summary()).toMatchObject({ instances: 1, duplicates: 1, conflicts: 2, skipped: 0 });
    // Sizes first: only files of the holder's size were read and hashed.
    expect(await hashOf(otherSize)).toBeNull();
    expect(await hashOf(copy)).toBe(await hashOf(a.path));
    expect(await hashOf(sameSize)).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashOf(sameSize)).not.toBe(await hashOf(a.path));
    // A rescan keeps everything as it is, without reading anything again.
    expect(await scan()).toMatchObject({ unchanged: 4, indexed: 0, duplicates: 0, conflicts: 0 });
    expect((await problem(copy))?.status).toBe('duplicate');
  });

  it('when the first file goes, an identical copy takes over before an older conflict', async () => {
    const conflict = path.join(lib, 'x', 'conflict.dcm');
    variant(conflict, 'TEST^PATIENT9');
    const copy = path.join(lib, 'z', 'copy.dcm');
    fs.mkdirSync(path.dirname(copy));
    fs.copyFileSync(a.path, copy);
    await scan();
    fs.rmSync(a.path);
    expect(await scan()).toMatchObject({ removed: 1 });
    expect(await holder()).toBe(copy);
    expect(await problem(conflict)).toMatchObject({ status: 'conflict', message: `A different file with the same SOP Instance UID as ${copy}` });
    expect(await repo.summary()).toMatchObject({ instances: 1, duplicates: 0, conflicts: 1 });
  });

  it('when a conflict takes over, files identical to it become its duplicate copies', async () => {
    const conflict = path.join(lib, 'x', 'conflict.dcm');
    variant(conflict, 'TEST^PATIENT9');
    const copyOfConflict = path.join(lib, 'y', 'copy-of-conflict.dcm');
    fs.mkdirSync(path.dirname(copyOfConflict));
    fs.copyFileSync(conflict, copyOfConflict);
    await scan();
    expect(await repo.summary()).toMatchObject({ duplicates: 0, conflicts: 2 });
    fs.rmSync(a.path);
    await scan();
    expect(await holder()).toBe(conflict);
    expect(await problem(copyOfConflict)).toMatchObject({ status: 'duplicate', message: `Identical to ${conflict}` });
    expect(await repo.summary()).toMatchObject({ instances: 1, duplicates: 1, conflicts: 0 });
  });

  it('when the first file is rewritten with other bytes, its former duplicate copy becomes a conflict', async () => {
    const copy = path.join(lib, 'x', 'copy.dcm');
    fs.mkdirSync(path.dirname(copy));
    fs.copyFileSync(a.path, copy);
    await scan();
    expect((await problem(copy))?.status).toBe('duplicate');
    variant(a.path, 'TEST^PATIENT9');
    fs.utimesSync(a.path, new Date(), new Date(Date.now() + 5000));
    expect(await scan()).toMatchObject({ indexed: 1, conflicts: 1, duplicates: 0 });
    expect(await holder()).toBe(a.path);
    expect(await problem(copy)).toMatchObject({ status: 'conflict', reason: 'uid-conflict' });
  });
});
