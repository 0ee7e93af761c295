import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../src-shared/contract/errors';
import { nodeIdOf } from '../nodes/identity';
import { DB_FILE, openDb } from '../store/db';
import { checkDatabaseUrl } from '../store/database-url';
import { LibraryRepo } from '../store/library-repo';
import { importSqliteStore, type SqliteImport } from '../store/pg/import-sqlite';
import { openPgStore } from '../store/pg/store';

/**
 * Moves a workstation to a shared PostgreSQL database without losing what it verified: its data folder's
 * SQLite store (brought to this version's schema first, its library the folder's node's) is copied into the
 * empty database `databaseUrl`. The SQLite file is left as it was, apart from that schema upgrade.
 */
export async function importDataFolderStore(dataDir: string, databaseUrl: string, onTable?: (table: string, rows: number) => void): Promise<SqliteImport & { source: string }> {
  const source = path.join(dataDir, DB_FILE);
  if (!fs.existsSync(source)) throw new AppError('not-found', `No SQLite store to import in ${dataDir} (no ${DB_FILE})`);
  const url = checkDatabaseUrl(databaseUrl);
  const lite = openDb(dataDir);
  try {
    // Library rows from before the library was per node become this folder's node's, as its next start would.
    void new LibraryRepo(lite, nodeIdOf(dataDir));
    const pg = await openPgStore(url);
    try {
      return { ...(await importSqliteStore(lite, pg.db, onTable)), source };
    } finally {
      await pg.close();
    }
  } finally {
    lite.close();
  }
}
