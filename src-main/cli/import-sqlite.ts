import { chosenDatabase, DATABASE_URL_ENV } from '../core/host/database-file';
import { importDataFolderStore } from '../core/host/import-store';
import { KeySealer } from '../core/secrets/sealer';
import { redactDatabaseUrl } from '../core/store/database-url';
import { usageError } from './errors';
import { dataDirOf } from './options';
import { Progress } from './progress';

/**
 * `safekeep import-sqlite`: copies the data folder's SQLite store into the (empty) PostgreSQL database named
 * by --database, SAFEKEEP_DATABASE_URL or the folder's Settings → Database, saying what it copies as it goes
 * (the rows of the table being copied on a terminal, each table's total once done).
 */
export async function importSqliteCommand(o: { data?: string; json?: boolean }, database: string | undefined, out: (line: string) => void): Promise<void> {
  const dataDir = dataDirOf(o);
  const { url } = chosenDatabase(dataDir, database, new KeySealer(dataDir));
  if (!url) throw usageError(`Name the PostgreSQL database to import into: --database postgres://user:password@host/db, or ${DATABASE_URL_ENV}`);
  if (!o.json) out(`Copying the SQLite store of ${dataDir} into ${redactDatabaseUrl(url)}, table by table, in one transaction…`);
  // The row count of the table being copied on a terminal; each table's total once it is done.
  const progress = new Progress(o.json ?? false);
  const result = await importDataFolderStore(dataDir, url, (p) => {
    if (o.json) return;
    if (p.copied < p.total) return progress.update(`  ${p.table}: ${p.copied} of ${p.total} rows`);
    progress.done();
    if (p.total > 0) out(`  ${p.table}: ${p.total} row(s)`);
  });
  if (o.json) {
    out(JSON.stringify({ source: result.source, database: redactDatabaseUrl(url), rows: result.rows, tables: result.tables }, null, 2));
    return;
  }
  out(`Imported ${result.rows} row(s) from ${result.source} into ${redactDatabaseUrl(url)} (the SQLite file is left in place).`);
  out(`Next: run this node and every other one with --database (or ${DATABASE_URL_ENV}, or Settings → Database).`);
  out(`Remote passwords and tokens stay sealed with this data folder's key: give every node the same key (SAFEKEEP_SECRET_KEY, docs/deployment.md).`);
}
