import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../src-shared/contract/errors';
import { log } from '../log';
import { nodeIdOf } from '../nodes/identity';
import { recordHistoryImport } from './database-file';
import { DB_FILE, openDb } from '../store/db';
import { checkDatabaseUrl } from '../store/database-url';
import { adoptLibrary } from '../store/library-repo';
import { importSqliteStore, type ImportProgress, type SqliteImport } from '../store/pg/import-sqlite';
import { openPgStore } from '../store/pg/store';

/**
 * Moves a workstation to a shared PostgreSQL database without losing what it verified: its data folder's
 * SQLite store (brought to this version's schema first, its library the folder's node's) is copied into the
 * empty database `databaseUrl`. The SQLite file is left as it was, apart from that schema upgrade.
 */
export async function importDataFolderStore(dataDir: string, databaseUrl: string, onProgress?: (p: ImportProgress) => void): Promise<SqliteImport & { source: string }> {
  const source = path.join(dataDir, DB_FILE);
  if (!fs.existsSync(source)) throw new AppError('not-found', `No SQLite store to import in ${dataDir} (no ${DB_FILE})`);
  const url = checkDatabaseUrl(databaseUrl);
  const lite = openDb(dataDir);
  try {
    // Library rows from before the library was per node become this folder's node's, as its next start would.
    adoptLibrary(lite, nodeIdOf(dataDir));
    const pg = await openPgStore(url);
    try {
      return { ...(await importSqliteStore(lite, pg.db, onProgress)), source };
    } finally {
      await pg.close();
    }
  } finally {
    lite.close();
  }
}

/**
 * The copy asked for in Settings → Database, made at the start that first uses the database. A refusal (the
 * database already holds data, no SQLite store) is recorded and shown in Settings, and the start goes on with the
 * database as it is; a database out of reach fails the start as any would, and the copy is tried again next time.
 */
export async function importHistoryAtStart(dataDir: string, databaseUrl: string, now: number): Promise<void> {
  try {
    log('store').info(`copying this data folder's SQLite history into the database before it is used (about 10 s per 100,000 instances here)`);
    const done = await importDataFolderStore(dataDir, databaseUrl);
    recordHistoryImport(dataDir, { at: now, rows: done.rows, error: null });
    log('store').info(`copied this data folder's SQLite history into the database: ${done.rows} row(s)`);
  } catch (e) {
    if (!(e instanceof AppError) || (e.code !== 'conflict' && e.code !== 'not-found')) throw e;
    recordHistoryImport(dataDir, { at: now, rows: null, error: e.message });
    log('store').warn(`the SQLite history was not copied into the database: ${e.message}`);
  }
}
