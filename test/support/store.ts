import { openDb } from '../../src-main/core/store/db';
import { openPgStore } from '../../src-main/core/store/pg/store';
import type { Store } from '../../src-main/core/store/ports';
import { sqliteStoreOf } from '../../src-main/core/store/sqlite-store';
import { createTestDatabase, TEST_STORE } from './postgres';

/** The store's ports on the backend of this test run: SQLite in `dir`, or a new PostgreSQL database (project "postgres"). */
export async function openTestStore(dir: string): Promise<Store> {
  if (TEST_STORE === 'pg') return openPgStore(await createTestDatabase());
  return sqliteStoreOf(openDb(dir));
}
