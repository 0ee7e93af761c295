import pg from 'pg';
import type { DataTable } from '../../../../src-shared/contract/events';
import { log } from '../../log';
import { DataChanges, writtenTable } from '../changes';
import { redactDatabaseUrl } from '../database-url';
import { commitNotApplied, isConnectionError, isTransient, storeError } from './errors';

/** Transaction-scoped advisory locks (namespace "SAFE"): decisions SQLite's single writer made race-free. */
const LOCK_SPACE = 0x53414645;
/** Locks named by text (lockNamed), apart from the numbered ones so that a hash never meets one of LOCKS. */
const NAMED_LOCK_SPACE = LOCK_SPACE + 1;
export const LOCKS = { migrate: 1, incoming: 2, settings: 3, library: 4 } as const;

/** BIGINT (times, ids, counts) and NUMERIC (sums) as numbers, like SQLite's integers. */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 || oid === 1700 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Statements are written with ? placeholders (like the SQLite store); PostgreSQL numbers them. */
const numbered = new Map<string, string>();
export function toPg(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let n = 0;
    // Outside string literals only.
    out = sql.replace(/'(?:[^']|'')*'|\?/g, (m) => (m === '?' ? `$${++n}` : m));
    // Statements are a fixed set (lists travel as array parameters); the bound guards against a mistake.
    if (numbered.size > 2000) numbered.clear();
    numbered.set(sql, out);
  }
  return out;
}

/** One connection inside one transaction: the statements of a store method. */
export class PgTx {
  constructor(
    private readonly client: pg.PoolClient,
    private readonly touched: Set<DataTable>,
  ) {}

  async rows<R>(sql: string, args: readonly unknown[] = []): Promise<R[]> {
    return (await this.client.query(toPg(sql), args as unknown[])).rows as R[];
  }

  async row<R>(sql: string, args: readonly unknown[] = []): Promise<R | undefined> {
    return (await this.rows<R>(sql, args))[0];
  }

  /** A write; the rows it changed (its table is announced after the commit when there are any). */
  async run(sql: string, args: readonly unknown[] = []): Promise<number> {
    const table = writtenTable(sql);
    const changed = (await this.client.query(toPg(sql), args as unknown[])).rowCount ?? 0;
    if (changed > 0 && table) this.touched.add(table);
    return changed;
  }

  /** A write whose RETURNING rows are wanted. */
  async returning<R>(sql: string, args: readonly unknown[] = []): Promise<R[]> {
    const table = writtenTable(sql);
    const r = await this.client.query(toPg(sql), args as unknown[]);
    if ((r.rowCount ?? 0) > 0 && table) this.touched.add(table);
    return r.rows as R[];
  }

  /** Statements without parameters, several at once (a migration). Not announced. */
  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  /** Waits for the advisory lock `key`, held until this transaction ends (other nodes wait for it too). */
  async lock(key: number): Promise<void> {
    await this.client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, key]);
  }

  /** The same for a lock named by text (one per node's library): its key is the name's hash, in its own space. */
  async lockNamed(name: string): Promise<void> {
    await this.client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [NAMED_LOCK_SPACE, name]);
  }
}

export interface PgDbOptions {
  /** Most connections this process opens (default 10). */
  max?: number;
  /** How long a call waits for a server out of reach to come back (default RECONNECT_MS). */
  reconnectMs?: number;
}

/** Attempts of a transaction that PostgreSQL rolled back for a deadlock or a serialization failure. */
const TRANSIENT_ATTEMPTS = 4;
/** How long a call waits for a server out of reach (a restart, a fail-over) before it fails as unavailable. */
const RECONNECT_MS = 30_000;
/** The wait between two attempts grows by this much per attempt, up to RECONNECT_MAX_STEP_MS. */
const RECONNECT_STEP_MS = 100;
const RECONNECT_MAX_STEP_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The PostgreSQL store's database: a pool of connections. Every method of a repository is one `tx` (or one
 * read); writes are announced by `changes` once committed. A call whose connection failed before its commit
 * was sent (so nothing was committed) runs again on a new connection for up to `reconnectMs`: the server
 * restarting mid-job delays the work, it does not fail it. After that, or when the COMMIT itself was cut
 * (it may have landed), the caller gets a StoreUnavailableError.
 */
export class PgDb {
  readonly changes = new DataChanges();
  readonly pool: pg.Pool;
  /** The URL without its password: what messages show. */
  readonly where: string;
  private readonly reconnectMs: number;
  private closed = false;

  constructor(url: string, o: PgDbOptions = {}) {
    this.where = redactDatabaseUrl(url);
    this.reconnectMs = o.reconnectMs ?? RECONNECT_MS;
    this.pool = new pg.Pool({
      connectionString: url,
      max: o.max ?? 10,
      types: TYPES,
      application_name: 'safekeep',
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
    });
    // A connection that dies while idle (the server restarted) is dropped by the pool; without these
    // listeners its 'error' event would end the process.
    this.pool.on('error', (e) => log('store').warn(`idle database connection lost (${this.where}):`, e.message));
    this.pool.on('connect', (c) => c.on('error', (e) => log('store').debug(`database connection error (${this.where}):`, e.message)));
  }

  /** One read statement outside any transaction (run again while the server is out of reach). */
  async rows<R>(sql: string, args: readonly unknown[] = []): Promise<R[]> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.pool.query(toPg(sql), args as unknown[])).rows as R[];
      } catch (e) {
        if (isConnectionError(e) && (await this.waitForServer(started, attempt))) continue;
        throw storeError(e, this.where);
      }
    }
  }

  async row<R>(sql: string, args: readonly unknown[] = []): Promise<R | undefined> {
    return (await this.rows<R>(sql, args))[0];
  }

  /** The first contact: a server out of reach or a wrong URL fails at once (a clear error when a node starts). */
  async probe(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
    } catch (e) {
      throw storeError(e, this.where);
    }
  }

  /** Refreshes the planner's statistics of `tables` (after a bulk write); a failure only costs speed. */
  async analyze(tables: readonly string[]): Promise<void> {
    try {
      await this.pool.query(`ANALYZE ${tables.join(', ')}`);
    } catch (e) {
      log('store').warn(`ANALYZE ${tables.join(', ')} failed (${this.where}):`, (e as Error).message);
    }
  }

  /** One write in its own transaction; the rows it changed. */
  run(sql: string, args: readonly unknown[] = []): Promise<number> {
    return this.tx((t) => t.run(sql, args));
  }

  /**
   * Runs `fn` in one transaction (READ COMMITTED; row locks and advisory locks where a decision must not
   * race). `fn` may run again from the start: it must only use the database (no other side effects).
   */
  async tx<T>(fn: (t: PgTx) => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const touched = new Set<DataTable>();
      let committing = false;
      let client: pg.PoolClient | undefined;
      try {
        client = await this.pool.connect();
        await client.query('BEGIN');
        const result = await fn(new PgTx(client, touched));
        committing = true;
        await client.query('COMMIT');
        client.release();
        this.changes.add(touched);
        return result;
      } catch (e) {
        if (client) await this.release(client, e);
        if (isTransient(e) && attempt < TRANSIENT_ATTEMPTS) {
          await sleep(Math.random() * 20 * attempt);
          continue;
        }
        const uncertain = committing && !commitNotApplied(e);
        if (isConnectionError(e) && !uncertain && (await this.waitForServer(started, attempt))) continue;
        throw storeError(e, this.where, uncertain && isConnectionError(e));
      }
    }
  }

  /** After a connection error: waits a little longer each time, and says whether to try again. */
  private async waitForServer(started: number, attempt: number): Promise<boolean> {
    if (this.closed || Date.now() - started > this.reconnectMs) return false;
    if (attempt === 1) log('store').warn(`the database ${this.where} is out of reach; trying again for up to ${Math.round(this.reconnectMs / 1000)} s`);
    await sleep(Math.min(RECONNECT_STEP_MS * attempt, RECONNECT_MAX_STEP_MS));
    return true;
  }

  /** Back to the pool after a failure: rolled back, or destroyed when the connection is broken. */
  private async release(client: pg.PoolClient, e: unknown): Promise<void> {
    if (isConnectionError(e)) {
      client.release(e as Error);
      return;
    }
    try {
      await client.query('ROLLBACK');
      client.release();
    } catch (rollbackError) {
      client.release(rollbackError as Error);
    }
  }

  /** Announces the last changes and closes every connection (a second call does nothing). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.changes.flush();
    await this.pool.end();
  }
}
