import fs from 'node:fs';
import path from 'node:path';
import type { DataTable } from '../../../src-shared/contract/events';
import { DataChanges, trackWrites } from './changes';
import { MIGRATIONS } from './migrations';
import { openSqlite, type SqlDatabase } from './sqlite';

export const DB_FILE = 'safekeep.sqlite';

/**
 * An open store: the database plus a transaction helper. Every write made through `sql` is announced
 * by `changes` once committed (a write inside a transaction when the transaction commits).
 */
export class Db {
  readonly sql: SqlDatabase;
  readonly changes = new DataChanges();
  /** Tables written by the open transaction, announced at its COMMIT. */
  private readonly pending = new Set<DataTable>();

  constructor(
    raw: SqlDatabase,
    readonly file: string,
  ) {
    this.sql = trackWrites(raw, (table) => {
      if (this.depth > 0) this.pending.add(table);
      else this.changes.add([table]);
    });
  }

  /** Runs `fn` in one SQLite transaction (nested calls join the outer one). `fn` is synchronous: nothing waits inside. */
  tx<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.sql.exec('BEGIN IMMEDIATE');
    this.depth++;
    try {
      const result = fn();
      // A transaction cannot stay open across an await (another caller would write into it).
      if (result instanceof Promise) throw new Error('Db.tx takes a synchronous function');
      this.sql.exec('COMMIT');
      this.changes.add(this.pending);
      return result;
    } catch (e) {
      this.sql.exec('ROLLBACK');
      throw e;
    } finally {
      this.pending.clear();
      this.depth--;
    }
  }

  private depth = 0;

  close(): void {
    this.changes.flush();
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
