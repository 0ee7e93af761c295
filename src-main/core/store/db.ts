import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS } from './migrations';
import { openSqlite, type SqlDatabase } from './sqlite';

export const DB_FILE = 'safekeep.sqlite';

/** An open store: the database plus a transaction helper. */
export class Db {
  constructor(
    readonly sql: SqlDatabase,
    readonly file: string,
  ) {}

  /** Runs `fn` in one SQLite transaction (nested calls join the outer one). */
  tx<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.sql.exec('BEGIN IMMEDIATE');
    this.depth++;
    try {
      const result = fn();
      this.sql.exec('COMMIT');
      return result;
    } catch (e) {
      this.sql.exec('ROLLBACK');
      throw e;
    } finally {
      this.depth--;
    }
  }

  private depth = 0;

  close(): void {
    this.sql.close();
  }
}

/**
 * Opens (creating if needed) the store in `dataDir`. WAL with synchronous=FULL:
 * a committed write survives kill -9 and power loss, so "written" really means kept.
 */
export function openDb(dataDir: string): Db {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, DB_FILE);
  const sql = openSqlite(file);
  sql.exec('PRAGMA journal_mode = WAL');
  sql.exec('PRAGMA synchronous = FULL');
  sql.exec('PRAGMA foreign_keys = ON');
  sql.exec('PRAGMA busy_timeout = 5000');
  const db = new Db(sql, file);
  migrate(db);
  try {
    fs.chmodSync(file, 0o600); // remote secrets and token hashes live here
  } catch {
    /* best effort on file systems without modes */
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return (db.sql.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
}

export function migrate(db: Db, migrations: readonly string[] = MIGRATIONS): void {
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new Error(
      `The store at ${db.file} has schema version ${current}, newer than this Safekeep (${migrations.length}). Use a newer Safekeep or another data folder.`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    db.tx(() => {
      db.sql.exec(migrations[v]!);
      db.sql.exec(`PRAGMA user_version = ${v + 1}`);
    });
  }
}
