/**
 * A throwaway PostgreSQL cluster for tests: Debian's postgresql binaries, initdb and pg_ctl run as the
 * `postgres` user (tests run as root in CI), data in a temporary folder, listening on 127.0.0.1 on a free
 * port only (its unix socket in that folder), trust authentication for loopback in this cluster only, and
 * durability off (fsync) since it is thrown away. One cluster per test file; a fresh database per test.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, inject as vitestInject } from 'vitest';

const run = promisify(execFile);

/** Debian's binaries of the newest PostgreSQL installed (/usr/lib/postgresql/<version>/bin), or SAFEKEEP_PG_BIN. */
export const PG_BIN = process.env.SAFEKEEP_PG_BIN ?? newestDebianPg();

function newestDebianPg(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  return path.join(root, versions[0] ?? '15', 'bin');
}

export interface PgCluster {
  port: number;
  /** Its data folder (for pg_ctl). */
  dataDir: string;
  /** The URL of a database of this cluster (user postgres, no password: trust on loopback). */
  url(database: string): string;
  /** A new empty database (from template0); its URL. */
  createDatabase(): Promise<string>;
  /** SQL as the superuser on the `postgres` database. */
  admin(sql: string, args?: unknown[]): Promise<pg.QueryResult>;
  /** A fast stop then a start: every connection is dropped, the server comes back on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary as the postgres user (directly when the tests do not run as root). */
function pgCommand(bin: string, args: string[]): [string, string[]] {
  const file = path.join(PG_BIN, bin);
  return asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

export async function pgRun(bin: string, args: string[]): Promise<void> {
  const [file, argv] = pgCommand(bin, args);
  try {
    await run(file, argv, { timeout: 120_000 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${bin} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Clusters still running when the test process exits (a failed hook): stopped at once. */
const running = new Set<string>();
process.on('exit', () => {
  for (const data of running) {
    const [file, argv] = pgCommand('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    try {
      execFileSync(file, argv, { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
});

/** `durable`: fsync and synchronous commits on, as a production server (benchmarks); tests run without. */
export async function startPostgres(o: { durable?: boolean } = {}): Promise<PgCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  await pgRun('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '--no-sync', '--encoding=UTF8', '--locale=C.UTF-8', '--no-instructions']);
  // Loopback only: trust (initdb's entries for 127.0.0.1 and ::1), listening on 127.0.0.1 alone.
  const port = await freePort();
  const options = [
    `-c listen_addresses=127.0.0.1`,
    `-c port=${port}`,
    `-c unix_socket_directories=${dir}`,
    ...(o.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    '-c max_connections=200',
  ].join(' ');
  // -l: the server's output goes to a file (on a pipe it would keep this call waiting as long as it runs).
  const start = () => pgRun('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
  await start();
  running.add(data);

  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let admin: pg.Client | null = null;
  const adminClient = async () => {
    if (!admin) {
      const c = new pg.Client({ connectionString: url('postgres') });
      c.on('error', () => (admin = null)); // dropped by a restart: reconnect on next use
      await c.connect();
      admin = c;
    }
    return admin;
  };
  let n = 0;
  return {
    port,
    dataDir: data,
    url,
    admin: async (sql, args) => (await adminClient()).query(sql, args),
    createDatabase: async () => {
      const name = `t${process.pid}_${++n}`;
      await (await adminClient()).query(`CREATE DATABASE ${name} TEMPLATE template0`);
      return url(name);
    },
    restart: async () => {
      await admin?.end().catch(() => undefined);
      admin = null;
      // Not "pg_ctl restart": it takes no -l, and the server would hold this call's output pipe.
      await pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      await start();
    },
    stop: async () => {
      await admin?.end().catch(() => undefined);
      admin = null;
      await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      running.delete(data);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A cluster for the tests of this file (or describe block): started before them, stopped after. */
export function usePostgres(): { readonly cluster: PgCluster } {
  const holder = {} as { cluster: PgCluster };
  beforeAll(async () => {
    holder.cluster = await startPostgres();
  });
  afterAll(async () => {
    await holder.cluster?.stop();
  });
  return holder;
}

/** The store these tests run on: SQLite unless the `postgres` project set SAFEKEEP_TEST_STORE=pg. */
export const TEST_STORE: 'sqlite' | 'pg' = process.env.SAFEKEEP_TEST_STORE === 'pg' ? 'pg' : 'sqlite';

let shared: pg.Client | null = null;
let made = 0;

/** A new empty database in the run's shared cluster (globalSetup pg-global.ts); its URL. */
export async function createTestDatabase(): Promise<string> {
  const adminUrl = vitestInject('pgAdminUrl');
  if (!adminUrl) throw new Error('No PostgreSQL cluster: run this file in the vitest project "postgres"');
  if (!shared) {
    shared = new pg.Client({ connectionString: adminUrl });
    shared.on('error', () => (shared = null));
    await shared.connect();
  }
  const name = `t${process.pid}_${++made}_${Math.random().toString(36).slice(2, 8)}`;
  await shared.query(`CREATE DATABASE ${name} TEMPLATE template0`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Closes the connection createTestDatabase made (after a test file). */
export async function closeTestDatabases(): Promise<void> {
  const c = shared;
  shared = null;
  await c?.end().catch(() => undefined);
}

/**
 * In the project "postgres": SAFEKEEP_DATABASE_URL for a `safekeep` command, naming the database of its
 * `--data` folder (created on first use, the same one for every command on that folder). Empty otherwise.
 */
export function testDatabaseEnv(args: readonly string[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const k = args.indexOf('--data');
  if (TEST_STORE !== 'pg' || k < 0 || !args[k + 1] || env.SAFEKEEP_DATABASE_URL !== undefined) return {};
  const adminUrl = vitestInject('pgAdminUrl');
  const name = `d_${createHash('sha256').update(path.resolve(args[k + 1]!)).digest('hex').slice(0, 24)}`;
  try {
    execFileSync('psql', [adminUrl, '-q', '-c', `CREATE DATABASE ${name} TEMPLATE template0`], { stdio: 'pipe' });
  } catch (e) {
    if (!/already exists/.test(String((e as { stderr?: Buffer }).stderr))) throw e;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { SAFEKEEP_DATABASE_URL: url.toString() };
}

