import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openDb, type Db } from '../../src-main/core/store/db';
import { LibraryRepo } from '../../src-main/core/store/library-repo';
import { tempDir } from './fixtures';

export interface LibraryDb {
  /** A fresh temporary folder per test. */
  root: string;
  /** `root`/lib, created empty (`prepare` may fill it first). */
  lib: string;
  db: Db;
  repo: LibraryRepo;
}

/**
 * A library store per test: a temporary folder with an empty `lib` folder and a store in `data`, removed after
 * the test. `prepare` runs first (e.g. to write files). Read the fields inside tests, not at collection time.
 */
export function useLibraryDb(prepare?: (t: Pick<LibraryDb, 'root' | 'lib'>) => void): LibraryDb {
  const t = {} as LibraryDb;
  beforeEach(() => {
    t.root = tempDir();
    t.lib = path.join(t.root, 'lib');
    fs.mkdirSync(t.lib);
    prepare?.(t);
    t.db = openDb(path.join(t.root, 'data'));
    t.repo = new LibraryRepo(t.db);
  });
  afterEach(() => {
    t.db.close();
    fs.rmSync(t.root, { recursive: true, force: true });
  });
  return t;
}
