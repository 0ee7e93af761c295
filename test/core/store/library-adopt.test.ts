/**
 * Upgrading to a library per node (SQLite migration 11, PostgreSQL 4): the folders and files indexed before
 * belong to the first node that opens the store (the one that indexed them); a node opening it later starts
 * with its own empty library, and nothing is lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE, Db, migrate, openDb } from '../../../src-main/core/store/db';
import { MIGRATIONS } from '../../../src-main/core/store/migrations';
import { PgDb } from '../../../src-main/core/store/pg/db';
import { migratePg } from '../../../src-main/core/store/pg/migrate';
import { PG_MIGRATIONS } from '../../../src-main/core/store/pg/migrations';
import { openPgStore } from '../../../src-main/core/store/pg/store';
import type { Store } from '../../../src-main/core/store/ports';
import { openSqlite } from '../../../src-main/core/store/sqlite';
import { sqliteStoreOf } from '../../../src-main/core/store/sqlite-store';
import { tempDir } from '../../support/fixtures';
import { createTestDatabase, TEST_STORE } from '../../support/postgres';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const ROOT = '/mnt/archive/lib';

/** A store at the schema before the library was per node, holding one folder and one indexed file. Opens it as `node`. */
async function oldStore(): Promise<{ open(node: string): Promise<Store>; close(): Promise<void> }> {
  const insertRoot = `INSERT INTO library_roots (path, added_at) VALUES ('${ROOT}', 1)`;
  const insertFile = `INSERT INTO library_files (path, root, size, mtime_ms, status, sop_instance_uid, sop_class_uid, study_uid, series_uid, indexed_at, reader_rev)
    VALUES ('${ROOT}/a.dcm', '${ROOT}', 10, 1, 'indexed', '1.2.3.4', '${CT}', '1.2.3', '1.2.3.1', 1, 1)`;
  const opened: Store[] = [];
  if (TEST_STORE === 'pg') {
    const url = await createTestDatabase();
    const before = PG_MIGRATIONS.length - 1;
    const db = new PgDb(url);
    await migratePg(db, PG_MIGRATIONS.slice(0, before));
    await db.run(insertRoot);
    await db.run(insertFile);
    await db.close();
    return {
      open: async (node) => {
        const s = await openPgStore(url, { node });
        opened.push(s);
        return s;
      },
      close: async () => {
        for (const s of opened) await s.close();
      },
    };
  }
  const dir = tempDir();
  const old = new Db(openSqlite(path.join(dir, DB_FILE)), DB_FILE);
  migrate(old, MIGRATIONS.slice(0, MIGRATIONS.length - 1));
  old.sql.exec(insertRoot);
  old.sql.exec(insertFile);
  old.close();
  return {
    open: async (node) => {
      const s = sqliteStoreOf(openDb(dir), node);
      opened.push(s);
      return s;
    },
    close: async () => {
      for (const s of opened) await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe(`the library from before it was per node (${TEST_STORE})`, () => {
  let store: Awaited<ReturnType<typeof oldStore>> | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('belongs to the first node that opens the store; a later node starts with its own, empty library', async () => {
    store = await oldStore();
    const first = await store.open('ws-1');
    expect((await first.library.roots()).map((r) => r.path)).toEqual([ROOT]);
    expect((await first.library.findInstances(['1.2.3.4'])).get('1.2.3.4')).toMatchObject({ path: `${ROOT}/a.dcm`, size: 10 });
    const second = await store.open('ws-2');
    expect(await second.library.roots()).toEqual([]);
    expect(await second.library.summary()).toMatchObject({ instances: 0 });
    expect((await second.library.otherNodesHolding(['1.2.3.4'])).get('1.2.3.4')).toEqual(['ws-1']);
    // Opened again, the first node still has it (adopted once, not moved again).
    const again = await store.open('ws-1');
    expect(await again.library.summary()).toMatchObject({ instances: 1 });
  });

  it('refuses a node id that is not one (it is written into the SQL as a literal)', async () => {
    store = await oldStore();
    await expect(store.open("x' OR '1'='1")).rejects.toThrow(/Not a node id/);
  });
});
