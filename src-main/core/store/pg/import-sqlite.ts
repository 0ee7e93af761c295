import { AppError } from '../../../../src-shared/contract/errors';
import type { Db } from '../db';
import type { PgDb, PgTx } from './db';

/** What a workstation's SQLite store brought into PostgreSQL: rows per table, in copy order. */
export interface SqliteImport {
  tables: { table: string; rows: number }[];
  rows: number;
}

/** Where a copy is: rows of `table` copied so far, of `total` (both equal once the table is done). */
export interface ImportProgress {
  table: string;
  copied: number;
  total: number;
}

/** The node registry is about running processes, not history: each node joins again when it starts. */
const NOT_COPIED = new Set(['nodes']);
/** PostgreSQL takes at most 65,535 parameters per statement. */
const MAX_PARAMS = 60_000;
const MAX_ROWS_PER_INSERT = 2_000;
/** Rows read from SQLite at a time (by rowid). */
const READ_BATCH = 10_000;

type Column = { name: string; type: string; identity: boolean };

/**
 * Copies a SQLite store (one workstation's history: library, jobs, verdicts, incoming transactions, remotes,
 * settings, tokens, content checks) into an empty PostgreSQL store, so that a workstation moving to a shared
 * database keeps what it verified. Both stores are at the same schema (this Safekeep migrated both; the schema
 * test keeps their tables and columns equal), so every table is copied column by column. One transaction: the
 * target is either the whole copy or untouched. Identity sequences continue after the copied ids.
 */
export async function importSqliteStore(source: Db, target: PgDb, onProgress?: (p: ImportProgress) => void): Promise<SqliteImport> {
  const tables = (source.sql.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[])
    .map((t) => t.name)
    .filter((t) => !NOT_COPIED.has(t));
  const pgColumns = await columnsOf(target);
  const missing = tables.filter((t) => !pgColumns.has(t));
  if (missing.length > 0) throw new AppError('conflict', `The PostgreSQL database has no table ${missing.join(', ')}: is it at this Safekeep's version?`);

  const held: string[] = [];
  for (const t of tables) {
    const n = (await target.row<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))!.n;
    if (n > 0) held.push(`${t} (${n})`);
  }
  if (held.length > 0) {
    throw new AppError('conflict', `The PostgreSQL database already holds data: ${held.join(', ')}. Import only into an empty database (a new one: createdb).`);
  }

  return target.tx(async (t) => {
    const done: SqliteImport['tables'] = [];
    for (const table of tables) {
      const rows = await copyTable(source, t, table, pgColumns.get(table)!, onProgress);
      done.push({ table, rows });
    }
    for (const table of tables) {
      if (pgColumns.get(table)!.some((c) => c.name === 'id' && c.identity)) {
        // Identity columns: the next generated id comes after the copied ones.
        await t.rows(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM ${table}), false) AS v`);
      }
    }
    return { tables: done, rows: done.reduce((s, x) => s + x.rows, 0) };
  });
}

async function columnsOf(target: PgDb): Promise<Map<string, Column[]>> {
  const rows = await target.rows<{ t: string; c: string; type: string; identity: string }>(
    `SELECT table_name AS t, column_name AS c, data_type AS type, is_identity AS identity FROM information_schema.columns
     WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  const m = new Map<string, Column[]>();
  for (const r of rows) {
    const list = m.get(r.t) ?? [];
    list.push({ name: r.c, type: r.type, identity: r.identity === 'YES' });
    m.set(r.t, list);
  }
  return m;
}

/** A SQLite value as the PostgreSQL column takes it (0/1 as a boolean; text without NUL, which PostgreSQL refuses). */
function convert(v: unknown, type: string): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'boolean') return Boolean(v);
  if (typeof v === 'string') return v.includes('\0') ? v.replaceAll('\0', '') : v;
  if (typeof v === 'bigint') return v.toString();
  return v;
}

async function copyTable(source: Db, t: PgTx, table: string, pgColumns: readonly Column[], onProgress?: (p: ImportProgress) => void): Promise<number> {
  const total = (source.sql.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  const info = source.sql.prepare(`PRAGMA table_info(${table})`).all() as { name: string; pk: number }[];
  const liteColumns = new Set(info.map((c) => c.name));
  const columns = pgColumns.filter((c) => liteColumns.has(c.name));
  const list = columns.map((c) => c.name).join(', ');
  const perInsert = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMS / columns.length)));
  // Read in key order, a batch at a time: by rowid, or by the primary key of a WITHOUT ROWID table.
  const withoutRowid = /WITHOUT\s+ROWID/i.test((source.sql.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).get(table) as { sql: string }).sql);
  const key = withoutRowid ? info.filter((c) => c.pk > 0).sort((x, y) => x.pk - y.pk).map((c) => c.name) : ['rowid'];
  const keyList = key.map((k) => (k === 'rowid' ? 'rowid AS "rowid"' : k)).join(', ');
  const order = key.join(', ');
  const first = source.sql.prepare(`SELECT ${keyList}, ${list} FROM ${table} ORDER BY ${order} LIMIT ${READ_BATCH}`);
  const next = source.sql.prepare(`SELECT ${keyList}, ${list} FROM ${table} WHERE (${order}) > (${key.map(() => '?').join(', ')}) ORDER BY ${order} LIMIT ${READ_BATCH}`);
  let last: unknown[] | null = null;
  let copied = 0;
  for (;;) {
    const batch = (last ? next.all(...last) : first.all()) as Record<string, unknown>[];
    if (batch.length === 0) break;
    const end = batch[batch.length - 1]!;
    last = key.map((k) => end[k]);
    for (let i = 0; i < batch.length; i += perInsert) {
      const part = batch.slice(i, i + perInsert);
      const row = `(${columns.map(() => '?').join(', ')})`;
      await t.run(
        `INSERT INTO ${table} (${list}) VALUES ${part.map(() => row).join(', ')}`,
        part.flatMap((r) => columns.map((c) => convert(r[c.name], c.type))),
      );
    }
    copied += batch.length;
    if (copied < total) onProgress?.({ table, copied, total });
  }
  onProgress?.({ table, copied, total: copied });
  return copied;
}
