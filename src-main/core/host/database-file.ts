import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../src-shared/contract/errors';
import type { DatabaseSource, HistoryImport } from '../../../src-shared/contract/handlers';
import { checkDatabaseUrl } from '../store/database-url';
import type { SecretSealer } from '../secrets/sealer';

/**
 * Which store a data folder uses, kept beside it: the database URL cannot live inside the database. The file
 * holds the URL without its password, and the password sealed like remote secrets (secrets/sealer.ts).
 */
export const DATABASE_FILE = 'database.json';
export const DATABASE_URL_ENV = 'SAFEKEEP_DATABASE_URL';

interface DatabaseFile {
  /** postgres://user@host:port/database (no password). */
  url: string;
  /** The password, sealed; absent when the URL has none. */
  password?: string;
  /** Copy the data folder's SQLite history into the database at the next start (cleared once tried). */
  importSqlite?: boolean;
  /** How the last copy went. */
  lastImport?: HistoryImport;
}

function fileOf(dataDir: string): string {
  return path.join(dataDir, DATABASE_FILE);
}

/** The URL stored in the data folder (password opened), or null: SQLite. */
export function readDatabaseFile(dataDir: string, sealer: SecretSealer): string | null {
  let text: string;
  try {
    text = fs.readFileSync(fileOf(dataDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AppError('bad-request', `Cannot read ${fileOf(dataDir)}: ${(e as NodeJS.ErrnoException).code}`);
  }
  let stored: DatabaseFile;
  try {
    stored = JSON.parse(text) as DatabaseFile;
  } catch {
    throw new AppError('bad-request', `${fileOf(dataDir)} is not valid JSON: fix or delete it (deleting it goes back to SQLite)`);
  }
  if (typeof stored.url !== 'string' || !stored.url) return null;
  const url = new URL(checkDatabaseUrl(stored.url));
  if (stored.password) url.password = encodeURIComponent(sealer.open(stored.password));
  return url.toString();
}

/**
 * Stores the data folder's database (null: back to SQLite); takes effect at the next start. `importSqlite`: copy
 * the folder's SQLite history into it then.
 */
export function writeDatabaseFile(dataDir: string, databaseUrl: string | null, sealer: SecretSealer, o: { importSqlite?: boolean } = {}): void {
  if (!databaseUrl) {
    fs.rmSync(fileOf(dataDir), { force: true });
    return;
  }
  const url = new URL(checkDatabaseUrl(databaseUrl));
  const password = url.password ? decodeURIComponent(url.password) : '';
  url.password = '';
  const stored: DatabaseFile = { url: url.toString(), ...(password ? { password: sealer.seal(password) } : {}), ...(o.importSqlite ? { importSqlite: true } : {}) };
  writeFile(dataDir, stored);
}

function writeFile(dataDir: string, stored: DatabaseFile): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = fileOf(dataDir);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

/** The stored file as it is (no password opened), or null. */
function rawFile(dataDir: string): DatabaseFile | null {
  try {
    return JSON.parse(fs.readFileSync(fileOf(dataDir), 'utf8')) as DatabaseFile;
  } catch {
    return null;
  }
}

/** Whether the data folder's SQLite history is to be copied into its database at this start, and how the last copy went. */
export function historyImportOf(dataDir: string): { pending: boolean; last: HistoryImport | null } {
  const f = rawFile(dataDir);
  return { pending: f?.importSqlite === true, last: f?.lastImport ?? null };
}

/** Records how the copy went; it is not tried again. */
export function recordHistoryImport(dataDir: string, outcome: HistoryImport): void {
  const f = rawFile(dataDir);
  if (!f) return;
  delete f.importSqlite;
  writeFile(dataDir, { ...f, lastImport: outcome });
}


/**
 * The database of this run: the host's (`--database`), else SAFEKEEP_DATABASE_URL, else the data folder's
 * database.json; null: SQLite in the data folder (a fresh install).
 */
export function chosenDatabase(
  dataDir: string,
  given: string | null | undefined,
  sealer: SecretSealer,
  env: NodeJS.ProcessEnv = process.env,
): { url: string | null; source: DatabaseSource } {
  if (given !== undefined) return { url: given || null, source: 'option' };
  if (env[DATABASE_URL_ENV]) return { url: env[DATABASE_URL_ENV]!, source: 'environment' };
  const stored = readDatabaseFile(dataDir, sealer);
  return stored ? { url: stored, source: 'data-folder' } : { url: null, source: 'default' };
}
