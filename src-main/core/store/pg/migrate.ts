import { LOCKS, type PgDb, type PgTx } from './db';
import { PG_MIGRATIONS } from './migrations';

/** One row per migration applied (its number, from 1, and when). */
const SCHEMA_TABLE = `CREATE TABLE IF NOT EXISTS safekeep_schema (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`;

async function versionIn(t: PgTx): Promise<number> {
  return (await t.row<{ v: number }>(`SELECT COALESCE(MAX(version), 0) AS v FROM safekeep_schema`))!.v;
}

/** The number of migrations applied to the database (0 for an empty one). */
export async function pgSchemaVersion(db: PgDb): Promise<number> {
  const exists = await db.row<{ t: string | null }>(`SELECT to_regclass('safekeep_schema')::text AS t`);
  if (!exists?.t) return 0;
  return (await db.row<{ v: number }>(`SELECT COALESCE(MAX(version), 0) AS v FROM safekeep_schema`))!.v;
}

/**
 * Brings the schema up to date, one migration per transaction. Several nodes may start at once: each
 * transaction holds an advisory lock and reads the version again under it, so every migration is applied
 * exactly once and a node that waited finds the work done.
 */
export async function migratePg(db: PgDb, migrations: readonly string[] = PG_MIGRATIONS): Promise<void> {
  for (;;) {
    const done = await db.tx(async (t) => {
      await t.lock(LOCKS.migrate);
      await t.exec(SCHEMA_TABLE);
      const v = await versionIn(t);
      if (v > migrations.length) {
        throw new Error(
          `The database ${db.where} has schema version ${v}, newer than this Safekeep (${migrations.length}). Use a newer Safekeep or another database.`,
        );
      }
      if (v === migrations.length) return true;
      await t.exec(migrations[v]!);
      await t.rows(`INSERT INTO safekeep_schema (version, applied_at) VALUES (?, ?)`, [v + 1, Date.now()]);
      return v + 1 === migrations.length;
    });
    if (done) return;
  }
}
