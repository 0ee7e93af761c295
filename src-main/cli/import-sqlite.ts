import { chosenDatabase, DATABASE_URL_ENV } from '../core/host/database-file';
import { importDataFolderStore } from '../core/host/import-store';
import { KeySealer } from '../core/secrets/sealer';
import { redactDatabaseUrl } from '../core/store/database-url';
import { usageError } from './errors';
import { dataDirOf } from './options';

/**
 * `safekeep import-sqlite`: copies the data folder's SQLite store into the (empty) PostgreSQL database named
 * by --database, SAFEKEEP_DATABASE_URL or the folder's Settings → Database, printing each table as it goes.
 */
export async function importSqliteCommand(o: { data?: string; json?: boolean }, database: string | undefined, out: (line: string) => void): Promise<void> {
  const dataDir = dataDirOf(o);
  const { url } = chosenDatabase(dataDir, database, new KeySealer(dataDir));
  if (!url) throw usageError(`Name the PostgreSQL database to import into: --database postgres://user:password@host/db, or ${DATABASE_URL_ENV}`);
  const result = await importDataFolderStore(dataDir, url, (table, rows) => {
    if (!o.json && rows > 0) out(`  ${table}: ${rows} row(s)`);
  });
  if (o.json) {
    out(JSON.stringify({ source: result.source, database: redactDatabaseUrl(url), rows: result.rows, tables: result.tables }, null, 2));
    return;
  }
  out(`Imported ${result.rows} row(s) from ${result.source} into ${redactDatabaseUrl(url)} (the SQLite file is left in place).`);
  out(`Next: run this node and every other one with --database (or ${DATABASE_URL_ENV}, or Settings → Database).`);
  out(`Remote passwords and tokens stay sealed with this data folder's key: give every node the same key (SAFEKEEP_SECRET_KEY, docs/deployment.md).`);
}
