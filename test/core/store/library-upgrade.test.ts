import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src-main/core/scheduler';
import { scanLibrary } from '../../../src-main/core/library/scanner';
import { DB_FILE, Db, migrate, openDb } from '../../../src-main/core/store/db';
import { LibraryRepo } from '../../../src-main/core/store/library-repo';
import { MIGRATIONS } from '../../../src-main/core/store/migrations';
import { openSqlite } from '../../../src-main/core/store/sqlite';
import { encodeDicom, randomUid } from '../../support/dicom-writer';
import { CT_IMAGE, makeLibrary, tempDir } from '../../support/fixtures';

/** A store written before second copies were compared and truncated Pixel Data flagged. */
describe('library index from an earlier Safekeep', () => {
  let root: string;
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('re-reads old rows at the next scan: the identical copy called a conflict becomes a duplicate copy, a truncated file gets its flag', async () => {
    root = tempDir();
    const lib = path.join(root, 'lib');
    const [a] = makeLibrary(lib, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 1 });
    const copy = path.join(lib, 'copy.dcm');
    fs.copyFileSync(a!.path, copy);
    const cut = path.join(lib, 'cut.dcm');
    const bytes = encodeDicom({ sopClassUid: CT_IMAGE, sopInstanceUid: randomUid(), studyUid: randomUid(), seriesUid: randomUid(), pixelBytes: 10_000 });
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 4000));

    // The schema before this change, with rows as the earlier scanner wrote them.
    const dataDir = path.join(root, 'data');
    fs.mkdirSync(dataDir, { mode: 0o700 });
    const before = MIGRATIONS.findIndex((m) => m.includes('ADD COLUMN reader_rev'));
    expect(before).toBeGreaterThan(0);
    const old = new Db(openSqlite(path.join(dataDir, DB_FILE)), DB_FILE);
    migrate(old, MIGRATIONS.slice(0, before));
    const insert = old.sql.prepare(`
      INSERT INTO library_files (path, root, size, mtime_ms, status, reason, message, sop_instance_uid, sop_class_uid, study_uid, series_uid, indexed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`);
    const row = (p: string, status: string, reason: string | null, sop: string) => {
      const st = fs.statSync(p);
      insert.run(p, lib, st.size, Math.trunc(st.mtimeMs), status, reason, reason && `Same SOP Instance UID as ${a!.path}`, sop, CT_IMAGE, a!.studyUid, a!.seriesUid);
    };
    old.sql.prepare(`INSERT INTO library_roots (path, added_at) VALUES (?, 1)`).run(lib);
    row(a!.path, 'indexed', null, a!.sopInstanceUid);
    row(copy, 'conflict', 'duplicate', a!.sopInstanceUid);
    row(cut, 'indexed', null, randomUid());
    old.close();

    const db = openDb(dataDir);
    try {
      const repo = new LibraryRepo(db);
      // Until the next scan the old conflict keeps its meaning, under its new name.
      expect(await repo.problems({ limit: 10, offset: 0 })).toMatchObject([{ path: copy, status: 'conflict', reason: 'uid-conflict' }]);
      const p = await scanLibrary(repo, [lib], systemClock);
      expect(p).toMatchObject({ unchanged: 0, duplicates: 1, conflicts: 0, flagged: 1 });
      expect(await repo.summary()).toMatchObject({ instances: 2, duplicates: 1, conflicts: 0, flagged: 1 });
      expect(await scanLibrary(repo, [lib], systemClock)).toMatchObject({ unchanged: 3 });
    } finally {
      db.close();
    }
  });
});
