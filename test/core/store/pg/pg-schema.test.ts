/**
 * The two stores have one schema: after every migration, the same tables with the same columns and the same
 * nullability, and every table either store writes is mapped for data-changed. A SQLite migration appended
 * without its PostgreSQL twin (store/pg/migrations.ts) fails here.
 */
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../../src-main/core/store/db';
import { writtenTable } from '../../../../src-main/core/store/changes';
import { openPgStore } from '../../../../src-main/core/store/pg/store';
import { tempDir } from '../../../support/fixtures';
import { createTestDatabase } from '../../../support/postgres';

type Columns = Record<string, Record<string, { notNull: boolean }>>;

function sqliteColumns(): Columns {
  const dir = tempDir();
  const db = openDb(dir);
  try {
    const tables = db.sql.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[];
    return Object.fromEntries(
      tables.map(({ name }) => [
        name,
        Object.fromEntries(
          (db.sql.prepare(`PRAGMA table_info(${name})`).all() as { name: string; notnull: number; pk: number }[]).map((c) => [
            c.name,
            // A primary key column is NOT NULL in PostgreSQL; SQLite's needs no NULL in practice (its writers never give one).
            { notNull: c.notnull === 1 || c.pk > 0 },
          ]),
        ),
      ]),
    );
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function pgColumns(url: string): Promise<Columns> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const rows = (
      await c.query<{ t: string; c: string; nullable: string }>(
        `SELECT table_name AS t, column_name AS c, is_nullable AS nullable FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> 'safekeep_schema'`,
      )
    ).rows;
    const out: Columns = {};
    for (const r of rows) (out[r.t] ??= {})[r.c] = { notNull: r.nullable === 'NO' };
    return out;
  } finally {
    await c.end();
  }
}

describe('one schema, two stores', () => {
  const closing: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closing) await close();
  });

  it('the same tables, columns and nullability after every migration of each', async () => {
    const url = await createTestDatabase();
    const store = await openPgStore(url);
    closing.push(() => store.close());
    const [lite, post] = [sqliteColumns(), await pgColumns(url)];
    expect(Object.keys(post).sort()).toEqual(Object.keys(lite).sort());
    for (const table of Object.keys(lite)) expect({ table, columns: post[table] }).toEqual({ table, columns: lite[table] });
    // Every table is announced (or deliberately not) when written.
    for (const table of Object.keys(lite)) expect(() => writtenTable(`DELETE FROM ${table}`)).not.toThrow();
  });
});
