import { createRequire } from 'node:module';

/**
 * The small part of a SQLite driver the store uses. better-sqlite3 provides it
 * under plain Node; inside Electron (whose Node ABI differs from the system
 * Node's, so the native addon built by `npm install` does not load there)
 * the built-in `node:sqlite` provides it instead.
 */
export interface SqlRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqlStatement {
  run(...params: unknown[]): SqlRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface SqlDatabase {
  readonly driver: 'better-sqlite3' | 'node:sqlite';
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  close(): void;
}

const requireCjs = createRequire(import.meta.url);

export function openSqlite(path: string): SqlDatabase {
  let loadError: unknown;
  try {
    const BetterSqlite3 = requireCjs('better-sqlite3') as typeof import('better-sqlite3');
    const db = new BetterSqlite3(path);
    return {
      driver: 'better-sqlite3',
      exec: (sql) => void db.exec(sql),
      prepare: (sql) => db.prepare(sql) as unknown as SqlStatement,
      close: () => db.close(),
    };
  } catch (e) {
    // Only a native addon that cannot load here falls back; any other error (bad path, locked file) is real.
    if (!isAddonLoadError(e)) throw e;
    loadError = e;
  }
  // Fallback for Electron: node:sqlite exists from Node 22.5 (Electron 33+).
  let nodeSqlite: { DatabaseSync: new (p: string) => { exec(s: string): void; prepare(s: string): SqlStatement; close(): void } };
  try {
    nodeSqlite = requireCjs('node:sqlite');
  } catch {
    throw new Error(`Cannot open the SQLite store: better-sqlite3 failed to load (${String(loadError)}) and node:sqlite is not available in this runtime`);
  }
  const db = new nodeSqlite.DatabaseSync(path);
  return {
    driver: 'node:sqlite',
    exec: (sql) => db.exec(sql),
    prepare: (sql) => db.prepare(sql),
    close: () => db.close(),
  };
}

function isAddonLoadError(e: unknown): boolean {
  const text = String((e as Error)?.message ?? e);
  const code = (e as { code?: string })?.code;
  return (
    code === 'ERR_DLOPEN_FAILED' ||
    code === 'MODULE_NOT_FOUND' ||
    /NODE_MODULE_VERSION|was compiled against|Could not locate the bindings file|invalid ELF header/.test(text)
  );
}
