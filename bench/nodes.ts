/**
 * Several nodes on one store (issue 13): one 100,000-instance job (1000 instances per request, 100 requests)
 * worked by one `safekeep serve` node and by two, on the same PostgreSQL (a throwaway cluster, fsync off), and
 * the same job on one node over SQLite, for scale. Each node is its own process with its own data folder.
 * The named peer: a local fake DICOMweb archive in this script that commits every instance at once (200 with
 * the whole result), so the figures are Safekeep's own work: claims, posts, outcomes stored, verdicts.
 * The job is stored by this script (no library files to scan); the nodes hear of it by NOTIFY (PostgreSQL) or
 * at their next heartbeat (SQLite, with a 1.5 s lease: 0.5 s). Prints figures; asserts nothing about time.
 *   npm run build && npx tsx bench/nodes.ts [--instances 100000] [--per-request 1000] [--repeat 3]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Store } from '../src-main/core/store/ports';
import { openPgStore } from '../src-main/core/store/pg/store';
import { pgChangeFeedOf } from '../src-main/core/store/pg/change-feed';
import { openSqliteStore } from '../src-main/core/store/sqlite-store';
import { startServe, type CliProcess } from '../test/support/cli';
import { answerFor, startFaultServer } from '../test/support/fault-server';
import { startPostgres } from '../test/support/postgres';
import { arg, CACHE_DIR, fmt, table } from './support';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const instances = arg('instances', 100_000);
const perRequest = arg('per-request', 1000);
const repeat = arg('repeat', 3);
const work = fs.mkdtempSync(path.join(CACHE_DIR, 'nodes-'));

const peer = await startFaultServer((req, ctx) => answerFor(ctx.posted.get(req.uid) ?? []));
const cluster = await startPostgres();

/** Stores the job (every request queued) and its remote; the requests' ids. */
async function storeJob(store: Store): Promise<number[]> {
  const remote = await store.remotes.save({ kind: 'dicomweb', name: 'fake archive', config: { baseUrl: peer.url, concurrency: 4, maxInstancesPerRequest: perRequest }, secret: null }, Date.now());
  const requests = [];
  for (let r = 0; r * perRequest < instances; r++) {
    const n = Math.min(perRequest, instances - r * perRequest);
    requests.push({
      transactionUid: `2.25.${Date.now()}${r}`,
      form: 'flat' as const,
      studyUid: null,
      label: `request ${r + 1}`,
      instances: Array.from({ length: n }, (_, k) => ({ sopClassUid: CT, sopInstanceUid: `1.2.826.0.1.3680043.10.${r}.${k}`, studyUid: null, seriesUid: null, filePath: null })),
    });
  }
  const { requestIds } = await store.outgoing.createJob({ remoteId: remote.id, remoteName: remote.name, label: 'bench', form: 'flat', requests, now: Date.now() });
  return requestIds;
}

let runCount = 0;

/** Starts `nodes` serve processes on the store, stores the job, and times it until no instance is pending. */
async function run(label: string, nodes: number, database: string | null): Promise<{ label: string; seconds: number; perNode: string; posts: number }> {
  const tag = `${label.replace(/\W+/g, '-')}-${++runCount}`;
  const env = database ? { SAFEKEEP_DATABASE_URL: database } : {};
  const sqliteDir = path.join(work, `${tag}-0`);
  const dataDir = (k: number) => (database ? path.join(work, `${tag}-${k}`) : sqliteDir); // SQLite: one file, one folder
  const store: Store = database ? await openPgStore(database) : openSqliteStore(sqliteDir);
  const feed = pgChangeFeedOf(store, () => undefined);
  await feed?.start();
  const serves: CliProcess[] = [];
  try {
    // SQLite has no change feed: the node finds the job at its next heartbeat (a third of the lease: 0.5 s here).
    const lease = database ? '30' : '1.5';
    for (let k = 0; k < nodes; k++) serves.push(await startServe(['--data', dataDir(k), '--no-auth', '--lease-seconds', lease], env));
    const posted = peer.seen.length;
    const t0 = performance.now();
    const ids = await storeJob(store);
    store.changes.flush();
    for (;;) {
      const t = await store.outgoing.totals();
      if (t.instances.pending === 0) {
        if (t.instances.committed !== instances) throw new Error(`${label}: ${JSON.stringify(t.instances)}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t0) / 1000;
    const owners = new Map<string, number>();
    for (const id of ids) {
      const owner = (await store.outgoing.get(id)).leaseOwner ?? '?';
      owners.set(owner, (owners.get(owner) ?? 0) + 1);
    }
    return { label, seconds, perNode: [...owners.values()].sort((x, y) => y - x).join(' / '), posts: peer.seen.length - posted };
  } finally {
    for (const s of serves) s.child.kill('SIGTERM');
    await Promise.all(serves.map((s) => s.exited));
    await feed?.stop();
    await store.close();
  }
}

/** The run of median time among `repeat` runs of one configuration. */
function median<T extends { seconds: number }>(runs: T[]): T {
  return [...runs].sort((x, y) => x.seconds - y.seconds)[Math.floor(runs.length / 2)]!;
}

try {
  // Interleaved, each configuration `repeat` times, on a fresh database each time: the machine's other load
  // falls on every configuration alike; the median run is shown.
  const runs: Awaited<ReturnType<typeof run>>[][] = [[], [], []];
  for (let k = 0; k < repeat; k++) {
    runs[0]!.push(await run('SQLite, 1 node', 1, null));
    runs[1]!.push(await run('PostgreSQL, 1 node', 1, await cluster.createDatabase()));
    runs[2]!.push(await run('PostgreSQL, 2 nodes', 2, await cluster.createDatabase()));
  }
  const results = runs.map(median);
  console.log(`\n(median of ${repeat} runs each; all runs, s: ${runs.map((r) => `${r[0]!.label}: ${r.map((x) => fmt(x.seconds, 2)).join(', ')}`).join('; ')})`);
  console.log(`\nOne job of ${instances} instances, ${perRequest} per request, against a fake archive committing at once (loopback)\n`);
  console.log(table([['store, nodes', 'time (s)', 'instances/s', 'requests per node', 'POSTs'], ...results.map((r) => [r.label, fmt(r.seconds, 2), fmt(instances / r.seconds, 0), r.perNode, r.posts])]));
  const [sqlite, pg1, pg2] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
  console.log(`\nratio two nodes / one node on PostgreSQL: ${fmt(pg1.seconds / pg2.seconds, 2)}x as fast; PostgreSQL / SQLite on one node: ${fmt(sqlite.seconds / pg1.seconds, 2)}x as fast`);
  console.log(`(cores on this machine: ${os.cpus().length}; every node, PostgreSQL and the fake archive share them)`);
} finally {
  await peer.close();
  await cluster.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
