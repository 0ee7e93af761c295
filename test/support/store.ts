import { openDb } from '../../src-main/core/store/db';
import { openPgStore, type PgStore } from '../../src-main/core/store/pg/store';
import type { Store } from '../../src-main/core/store/ports';
import { sqliteStoreOf, type SqliteStore } from '../../src-main/core/store/sqlite-store';
import { createTestDatabase, TEST_STORE } from './postgres';

/** The store's ports on the backend of this test run: SQLite in `dir`, or a new PostgreSQL database (project "postgres"). */
export async function openTestStore(dir: string): Promise<Store> {
  if (TEST_STORE === 'pg') return openPgStore(await createTestDatabase());
  return sqliteStoreOf(openDb(dir));
}

/** Rows of a read on the store's own database, either backend (? placeholders; quote camelCase aliases). */
export async function storeRows<R>(store: Store, sql: string, args: readonly unknown[] = []): Promise<R[]> {
  const { db } = store as SqliteStore | PgStore;
  return 'sql' in db ? (db.sql.prepare(sql).all(...args) as R[]) : db.rows<R>(sql, args);
}
