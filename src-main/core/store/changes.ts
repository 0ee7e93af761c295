import { DATA_TABLES, type DataTable } from '../../../src-shared/contract/events';
import { ChangeBatcher } from '../events';
import type { SqlDatabase, SqlStatement } from './sqlite';

/** How often the tables touched by writes are announced at most (one announcement per interval). */
export const DATA_CHANGE_INTERVAL_MS = 200;

/**
 * What each stored table is to the hosts. null: written, but shown nowhere (sessions, DIMSE reports kept
 * for audit). A write to a table missing here fails when its statement is prepared, so a new table cannot
 * be forgotten.
 */
const TABLES: Record<string, DataTable | null> = {
  library_files: 'library',
  library_roots: 'library',
  jobs: 'outgoing',
  outgoing: 'outgoing',
  outgoing_instances: 'outgoing',
  verdicts: 'verdicts',
  resend_runs: 'outgoing',
  store_outcomes: 'outgoing',
  content_runs: 'verdicts',
  content_checks: 'verdicts',
  incoming: 'incoming',
  incoming_instances: 'incoming',
  remotes: 'remotes',
  settings: 'settings',
  tokens: 'tokens',
  nodes: 'nodes',
  browser_sessions: null,
  dimse_unmatched_reports: null,
};

const WRITE = /^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+["`]?(\w+)/i;

/** The table a data-changing statement writes, or undefined for a read (or a statement that is neither). */
export function writtenTable(sql: string): DataTable | null | undefined {
  const m = WRITE.exec(sql);
  if (!m) return undefined;
  const name = m[1]!.toLowerCase();
  if (!(name in TABLES)) throw new Error(`The store writes table "${name}", which store/changes.ts does not map to a DataTable (or null)`);
  return TABLES[name];
}

/**
 * The tables touched by the store's writes, announced in batches (one call per interval, like the
 * per-domain events it replaced). Fed by the store after each commit; the core relays it as `data-changed`.
 */
export class DataChanges {
  private readonly listeners = new Set<(tables: DataTable[]) => void>();
  private readonly batcher: ChangeBatcher<DataTable>;

  constructor(intervalMs = DATA_CHANGE_INTERVAL_MS) {
    this.batcher = new ChangeBatcher(intervalMs, (tables) => {
      const ordered = DATA_TABLES.filter((t) => tables.includes(t));
      for (const fn of this.listeners) fn(ordered);
    });
  }

  /** Called with the tables changed since the last call (in DATA_TABLES order). */
  subscribe(fn: (tables: DataTable[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Committed writes touched these tables. */
  add(tables: Iterable<DataTable>): void {
    for (const t of tables) this.batcher.add(t);
  }

  /** Announces what is pending now (before the store closes). */
  flush(): void {
    this.batcher.flush();
  }
}

/**
 * The database as the repositories see it: statements that write note the table they changed (when a row
 * changed), so that every write is announced from this one place, whichever repository made it.
 */
export function trackWrites(raw: SqlDatabase, touched: (table: DataTable) => void): SqlDatabase {
  return {
    driver: raw.driver,
    exec: (sql) => raw.exec(sql),
    close: () => raw.close(),
    prepare: (sql): SqlStatement => {
      const stmt = raw.prepare(sql);
      const table = writtenTable(sql);
      if (!table) return stmt;
      return {
        run: (...params) => {
          const r = stmt.run(...params);
          if (r.changes > 0) touched(table);
          return r;
        },
        get: (...params) => stmt.get(...params),
        all: (...params) => stmt.all(...params),
      };
    },
  };
}
