/**
 * SQLite against PostgreSQL on one node, through the same store ports: a job of 100,000 instances planned
 * (createJob), every request answered (complete, 1 in 100 failed 0112H), then what the Report screen and the
 * verdict CSV read (totals, a page of studies, every verdict row). SQLite: WAL, synchronous=FULL, in a temp
 * folder; PostgreSQL: a throwaway local cluster with fsync and synchronous commits on (its production
 * defaults), over loopback. The named peer is SQLite, in the same script; PostgreSQL's figures are its ratio.
 * Then the SQLite store is moved into an empty PostgreSQL database (`safekeep import-sqlite`), against building
 * the same history in PostgreSQL through the ports (the job planned and completed).
 *   npx tsx bench/store-backends.ts [--instances 100000] [--per-request 1000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PlannedInstance } from '../src-main/core/engine/model/outgoing';
import { openDb } from '../src-main/core/store/db';
import { importSqliteStore } from '../src-main/core/store/pg/import-sqlite';
import { openPgStore } from '../src-main/core/store/pg/store';
import type { Store } from '../src-main/core/store/ports';
import { openSqliteStore } from '../src-main/core/store/sqlite-store';
import { startPostgres } from '../test/support/postgres';
import { arg, fmt, mostlyCommitted, table } from './support';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const total = arg('instances', 100_000);
const perRequest = arg('per-request', 1000);

/** Instance k: 100 per series, 5 series per study. */
function instance(k: number): PlannedInstance {
  const study = Math.floor(k / 500);
  const series = Math.floor(k / 100);
  return {
    sopClassUid: CT,
    sopInstanceUid: `1.2.826.0.1.3680043.10.1.${k}`,
    studyUid: `1.2.826.0.1.3680043.10.2.${study}`,
    seriesUid: `1.2.826.0.1.3680043.10.3.${series}`,
    filePath: `/lib/${study}/${series}/${k}.dcm`,
    fileSize: 500_000,
    fileMtimeMs: 1_700_000_000_000,
    patientId: `P${study}`,
    accessionNumber: `A${study}`,
    studyDate: '20260101',
  };
}

type Figures = Record<'plan' | 'complete' | 'totals' | 'studies' | 'csvRows', number>;

async function run(store: Store): Promise<Figures> {
  const remote = await store.remotes.save({ kind: 'dicomweb', name: 'bench', config: { baseUrl: 'http://127.0.0.1:9/dicomweb' } }, Date.now());
  const requests = Array.from({ length: Math.ceil(total / perRequest) }, (_, r) => ({
    transactionUid: `2.25.${r + 1}`,
    form: 'flat' as const,
    studyUid: null,
    label: null,
    instances: Array.from({ length: Math.min(perRequest, total - r * perRequest) }, (_, i) => instance(r * perRequest + i)),
  }));
  const timed = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  let requestIds: number[] = [];
  const plan = await timed(async () => {
    ({ requestIds } = await store.outgoing.createJob({ remoteId: remote.id, remoteName: remote.name, label: 'bench', form: 'flat', requests, now: Date.now() }));
  });
  const complete = await timed(async () => {
    for (const [k, id] of requestIds.entries()) {
      await store.outgoing.complete(id, mostlyCommitted(requests[k]!.instances.length), { state: 'done' }, Date.now());
    }
  });
  const sums = await store.reports.totals({ remoteId: remote.id });
  if (sums.instances !== total || sums.pending !== 0) throw new Error(`unexpected totals ${JSON.stringify(sums)}`);
  let rows = 0;
  return {
    plan,
    complete,
    totals: await timed(() => store.reports.totals({ remoteId: remote.id })),
    studies: await timed(() => store.reports.studies({ remoteId: remote.id }, { limit: 200, offset: 0 })),
    csvRows: await timed(async () => {
      for await (const batch of store.reports.rowBatches({ remoteId: remote.id })) rows += batch.length;
      if (rows !== total) throw new Error(`${rows} verdict rows, expected ${total}`);
    }),
  };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-bench-stores-'));
const cluster = await startPostgres({ durable: true });
try {
  const sqlite = openSqliteStore(path.join(dir, 'data'));
  const onSqlite = await run(sqlite);
  await sqlite.close();
  const pg = await openPgStore(await cluster.createDatabase());
  const onPg = await run(pg);
  await pg.close();

  // The SQLite history moved into an empty database, checked by its report totals there.
  const lite = openDb(path.join(dir, 'data'));
  const target = await openPgStore(await cluster.createDatabase());
  const t0 = performance.now();
  const imported = await importSqliteStore(lite, target.db);
  const importMs = performance.now() - t0;
  const moved = await target.reports.totals({ remoteId: 1 });
  if (moved.instances !== total || moved.pending !== 0) throw new Error(`imported totals ${JSON.stringify(moved)}`);
  lite.close();
  await target.close();

  const rows: [keyof Figures, string][] = [
    ['plan', `createJob: ${Math.ceil(total / perRequest)} requests, ${total} instances pending, their verdicts`],
    ['complete', `complete: every request answered (${perRequest} outcomes each), verdicts in step`],
    ['totals', 'report totals of the archive'],
    ['studies', 'a page of 200 studies of the archive'],
    ['csvRows', 'every verdict row (the CSV export reads), in batches'],
  ];
  console.log(`\nStore backends, one node, ${total} instances (${os.cpus().length} cores)\n`);
  console.log(
    table([
      ['step', 'SQLite (s)', 'PostgreSQL (s)', 'PostgreSQL / SQLite'],
      ...rows.map(([k, what]) => [what, fmt(onSqlite[k] / 1000, 3), fmt(onPg[k] / 1000, 3), `${fmt(onPg[k] / onSqlite[k], 2)}x`]),
    ]),
  );
  const sum = (f: Figures) => f.plan + f.complete;
  console.log(`\nratio: planning + completing the job on PostgreSQL takes ${fmt(sum(onPg) / sum(onSqlite), 2)}x SQLite's time`);
  console.log(
    `import-sqlite: the SQLite history (${imported.rows} rows) copied into an empty PostgreSQL database in ${fmt(importMs / 1000, 2)} s, ` +
      `${fmt(importMs / sum(onPg), 2)}x the time to build the same history in PostgreSQL through the ports`,
  );
} finally {
  await cluster.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
