import { checkDatabaseUrl } from './database-url';
import { openPgStore } from './pg/store';
import type { Store } from './ports';
import { openSqliteStore } from './sqlite-store';

/** Where the store is: SQLite in `dataDir` (the default), or the PostgreSQL database `database` names. */
export interface StoreLocation {
  dataDir: string;
  /** postgres://user:password@host:port/database; null or empty: SQLite in the data folder. */
  database: string | null;
  /** The node whose library the store's `library` is (default: a store opened outside a host, library-node.ts). */
  node?: string;
}

/** Opens (creating and migrating as needed) the store at `location`. */
export async function openStore(location: StoreLocation): Promise<Store> {
  if (location.database) return openPgStore(checkDatabaseUrl(location.database), { node: location.node });
  return openSqliteStore(location.dataDir, location.node);
}
