import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../src-shared/contract/errors';
import type { DatabaseSource } from '../../../src-shared/contract/handlers';
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

/** Stores the data folder's database (null: back to SQLite); takes effect at the next start. */
export function writeDatabaseFile(dataDir: string, databaseUrl: string | null, sealer: SecretSealer): void {
  if (!databaseUrl) {
    fs.rmSync(fileOf(dataDir), { force: true });
    return;
  }
  const url = new URL(checkDatabaseUrl(databaseUrl));
  const password = url.password ? decodeURIComponent(url.password) : '';
  url.password = '';
  const stored: DatabaseFile = { url: url.toString(), ...(password ? { password: sealer.seal(password) } : {}) };
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = fileOf(dataDir);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
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
