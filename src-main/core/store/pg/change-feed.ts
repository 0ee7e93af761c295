import crypto from 'node:crypto';
import pg from 'pg';
import { DATA_TABLES, type DataTable } from '../../../../src-shared/contract/events';
import { log } from '../../log';
import type { DataChangeFeed } from '../ports';
import { PgDb } from './db';

/** The channel every node NOTIFYs and LISTENs on. */
export const CHANGES_CHANNEL = 'safekeep_changes';
/** Waits before connecting the listener again after it was lost (a database restart): doubling, at most the last. */
const RECONNECT_MS = [500, 1000, 2000, 5000, 10_000, 30_000];

export interface PgChangeFeedOptions {
  /** The database (postgres://…), for the dedicated LISTEN connection. */
  url: string;
  /** This process's committed writes, batched (the store's `changes`): each batch is announced to the other nodes. */
  local: DataChangeFeed;
  /** Runs a statement on the store's pool (the NOTIFY). */
  query(sql: string, args: unknown[]): Promise<unknown>;
  /** Tables another node wrote (or every table, after the listener was lost and is back: what was missed is unknown). */
  onRemote(tables: DataTable[]): void;
}

/**
 * Live across nodes on PostgreSQL: every batch of tables this process wrote is sent with NOTIFY, and a
 * dedicated connection LISTENs for the other nodes' batches, which the host re-emits as `data-changed`.
 * Push, not polling: a screen of every node refreshes within the batching interval of the writer (200 ms),
 * and an idle system costs the database nothing. A process ignores its own notifications (its own writes
 * were announced locally already). The listener reconnects after the connection is lost (a database restart),
 * and then announces every table once, since notifications sent meanwhile are gone.
 */
export class PgChangeFeed {
  /** Tells this process's notifications apart from the others' (two processes of one node included). */
  private readonly sender = crypto.randomBytes(8).toString('hex');
  private client: pg.Client | null = null;
  private stopped = false;
  private attempt = 0;
  private retry: NodeJS.Timeout | null = null;
  private readonly offLocal: () => void;
  private connected = false;

  constructor(private readonly o: PgChangeFeedOptions) {
    this.offLocal = o.local.subscribe((tables) => {
      if (tables.length === 0) return;
      const payload = JSON.stringify({ s: this.sender, t: tables });
      o.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, payload]).catch((e) => log('store').warn('change notification not sent:', (e as Error).message));
    });
  }

  /** Connects the listener (resolves once it listens; a failure is retried in the background). */
  async start(): Promise<void> {
    await this.connect().catch(() => undefined);
  }

  /** Whether the LISTEN connection is up now. */
  get listening(): boolean {
    return this.connected;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.o.url, application_name: 'safekeep-listen', keepAlive: true });
    const lost = (why: string) => {
      if (this.client !== client) return;
      this.client = null;
      this.connected = false;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (!this.stopped) {
        log('store').warn(`change listener lost (${why}); reconnecting`);
        this.schedule();
      }
    };
    client.on('error', (e) => lost(e.message));
    client.on('end', () => lost('connection closed'));
    client.on('notification', (m) => {
      if (m.channel !== CHANGES_CHANNEL || !m.payload) return;
      try {
        const { s, t } = JSON.parse(m.payload) as { s: string; t: string[] };
        if (s === this.sender) return;
        const tables = DATA_TABLES.filter((x) => t.includes(x));
        if (tables.length > 0) this.o.onRemote(tables);
      } catch {
        /* not one of ours */
      }
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (e) {
      lost((e as Error).message);
      throw e;
    }
    const wasLost = this.attempt > 0;
    this.attempt = 0;
    this.connected = true;
    // Whatever changed while nobody listened: every screen reads again.
    if (wasLost) this.o.onRemote([...DATA_TABLES]);
  }

  private schedule(): void {
    if (this.retry || this.stopped) return;
    const wait = RECONNECT_MS[Math.min(this.attempt, RECONNECT_MS.length - 1)]!;
    this.attempt++;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect().catch(() => undefined);
    }, wait);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.offLocal();
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    this.connected = false;
    await c?.end().catch(() => undefined);
  }
}

/** The change feed of a store when it is the PostgreSQL one (null: SQLite, a single node). Not started. */
export function pgChangeFeedOf(store: DataChangeFeedHolder, onRemote: (tables: DataTable[]) => void): PgChangeFeed | null {
  const db = (store as { db?: unknown }).db;
  if (!(db instanceof PgDb)) return null;
  const url = db.pool.options.connectionString;
  if (!url) return null;
  return new PgChangeFeed({ url, local: store.changes, query: (sql, args) => db.pool.query(sql, args), onRemote });
}

type DataChangeFeedHolder = { changes: DataChangeFeed };
