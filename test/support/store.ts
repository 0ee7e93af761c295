import { openDb } from '../../src-main/core/store/db';
import { PgDb } from '../../src-main/core/store/pg/db';
import { openPgStore, type PgStore } from '../../src-main/core/store/pg/store';
import { sqliteStoreOf, type SqliteStore } from '../../src-main/core/store/sqlite-store';
import { createTestDatabase, TEST_STORE } from './postgres';

/** The store's ports on the backend of this test run: SQLite in `dir`, or a new PostgreSQL database (project "postgres"). */
export async function openTestStore(dir: string): Promise<TestStore> {
  if (TEST_STORE === 'pg') return openPgStore(await createTestDatabase());
  return sqliteStoreOf(openDb(dir));
}

/** A store of either backend, with its database for tests that read rows directly. */
export type TestStore = SqliteStore | PgStore;

/** One row of `sql` (? placeholders; quote camelCase aliases, PostgreSQL folds them), on either backend. */
export async function testRow<R>(store: TestStore, sql: string, args: readonly unknown[] = []): Promise<R | undefined> {
  if (store.db instanceof PgDb) return store.db.row<R>(sql, args);
  return store.db.sql.prepare(sql).get(...args) as R | undefined;
}

/** Every row of `sql`, on either backend. */
export async function testRows<R>(store: TestStore, sql: string, args: readonly unknown[] = []): Promise<R[]> {
  if (store.db instanceof PgDb) return store.db.rows<R>(sql, args);
  return store.db.sql.prepare(sql).all(...args) as R[];
}

/** A statement that writes (setting up what no port makes), on either backend. */
export async function testRun(store: TestStore, sql: string, args: readonly unknown[] = []): Promise<void> {
  if (store.db instanceof PgDb) await store.db.run(sql, args);
  else store.db.sql.prepare(sql).run(...args);
}
