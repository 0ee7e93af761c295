import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { LibraryStore } from '../../src-main/core/store/ports';
import { tempDir } from './fixtures';
import { openTestStore, testRows, type TestStore } from './store';

export interface LibraryDb {
  /** A fresh temporary folder per test. */
  root: string;
  /** `root`/lib, created empty (`prepare` may fill it first). */
  lib: string;
  /** The store of this test run's backend (SQLite in `root`/data, or a PostgreSQL database). */
  store: TestStore;
  repo: LibraryStore;
  /** Rows of `sql` read directly (? placeholders), for what no port tells. */
  rows<R>(sql: string, args?: readonly unknown[]): Promise<R[]>;
}

/**
 * A library store per test: a temporary folder with an empty `lib` folder and a store in `data`, removed after
 * the test. `prepare` runs first (e.g. to write files). Read the fields inside tests, not at collection time.
 */
export function useLibraryDb(prepare?: (t: Pick<LibraryDb, 'root' | 'lib'>) => void): LibraryDb {
  const t = { rows: (sql, args = []) => testRows(t.store, sql, args) } as LibraryDb;
  beforeEach(async () => {
    t.root = tempDir();
    t.lib = path.join(t.root, 'lib');
    fs.mkdirSync(t.lib);
    prepare?.(t);
    t.store = await openTestStore(path.join(t.root, 'data'));
    t.repo = t.store.library;
  });
  afterEach(async () => {
    await t.store.close();
    fs.rmSync(t.root, { recursive: true, force: true });
  });
  return t;
}
