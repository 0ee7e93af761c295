/**
 * Verdict reports for 100,000 instances: the verdict CSV (`safekeep report --remote`), the
 * safe-to-delete list (which stats every committed file) and the job report, each its own process,
 * time and peak memory. The named peer: a plain `SELECT * FROM verdicts` iterated by better-sqlite3
 * and streamed through csv-stringify to a file, in its own process, same store, same run.
 *   npm run build && npx tsx bench/verdict.ts [--files 100000] [--per-request 1000]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { openHost } from '../src-main/core/host/host';
import { planRequests } from '../src-main/core/engine/planner';
import { reportCsvText } from '../src-main/core/report/csv';
import { runCliToEnd, SAFEKEEP_BIN } from '../test/support/cli';
import { benchLibrary } from './library';
import { arg, CACHE_DIR, fmt, mostlyCommitted, table } from './support';

const require = createRequire(import.meta.url);

const files = arg('files', 100_000);
const perRequest = arg('per-request', 1000);
const { dir, instances } = benchLibrary(files, 256);
const work = fs.mkdtempSync(path.join(CACHE_DIR, 'verdict-'));
const data = path.join(work, 'data');

/** Runs a process to its end: wall time and peak resident memory (VmHWM, sampled every 20 ms). */
async function measure(args: string[]): Promise<{ ms: number; peakMiB: number; stderr: string; code: number | null }> {
  const t = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let peak = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      /* exited */
    }
  };
  const timer = setInterval(sample, 20);
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  clearInterval(timer);
  return { ms: performance.now() - t, peakMiB: peak, stderr, code };
}

// The peer: every verdict row, as stored, through csv-stringify's stream API to a file.
const PEER = `
const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
const { stringify } = require(${JSON.stringify(require.resolve('csv-stringify'))});
const fs = require('node:fs');
const db = new Database(process.argv[1], { readonly: true });
const out = fs.createWriteStream(process.argv[2]);
const csv = stringify({ header: true, columns: db.prepare('SELECT * FROM verdicts LIMIT 1').columns().map((c) => c.name) });
csv.pipe(out);
(async () => {
  for (const row of db.prepare('SELECT * FROM verdicts').raw().iterate()) if (!csv.write(row)) await new Promise((r) => csv.once('drain', r));
  csv.end();
})();
`;

try {
  // The store: the library indexed by `safekeep scan`, one job of every instance with its outcomes,
  // written as the engine writes them (request by request, verdicts in the same transactions).
  await runCliToEnd(['scan', dir, '--data', data]);
  const host = await openHost({ dataDir: data });
  const { store } = host.core;
  const remote = await store.remotes.save({ kind: 'dicomweb', name: 'bench', config: { baseUrl: 'http://127.0.0.1:9/dicomweb' } }, Date.now());
  const t0 = performance.now();
  const selected = await store.library.select({ paths: [dir] });
  const requests = planRequests(selected, { form: 'flat', maxInstancesPerRequest: perRequest });
  const { jobId, requestIds } = await store.outgoing.createJob({ remoteId: remote.id, remoteName: remote.name, label: 'bench', form: 'flat', requests, now: Date.now() });
  const created = performance.now() - t0;
  // Every instance committed but 1 in 100 failed (0112H), and the last request left pending.
  const t1 = performance.now();
  for (const [k, id] of requestIds.slice(0, -1).entries()) {
    await store.outgoing.complete(id, mostlyCommitted(requests[k]!.instances.length), { state: 'done' }, Date.now());
  }
  const completed = performance.now() - t1;
  // "Resend N not committed" for the first 10 requests, now all committed: the job's reports must take the latest row.
  for (const id of requestIds.slice(0, 10)) {
    const from = await store.outgoing.get(id);
    const again = await store.outgoing.notCommitted(id);
    const follow = await store.outgoing.createFollowUp(from, { transactionUid: `${from.transactionUid}.1`, form: 'flat', studyUid: null, label: 'resend', instances: again }, Date.now());
    await store.outgoing.complete(follow, again.map((_, seq) => ({ seq, outcome: 'committed' as const, failureReason: null, detail: null })), { state: 'done' }, Date.now());
  }
  const totals = await store.reports.totals({ remoteId: remote.id });
  // What the Report screen asks (in the core's process; refetched as outcomes come in).
  const timed = async <T>(fn: () => Promise<T>): Promise<number> => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const inCore = {
    archiveSummary: await timed(() => host.core.reports.summary({ remoteId: remote.id })),
    jobSummary: await timed(() => host.core.reports.summary({ jobId })),
    jobStudies: await timed(() => store.reports.studies({ jobId }, { limit: 200, offset: 0 })),
    studies: await timed(() => store.reports.studies({ remoteId: remote.id }, { limit: 200, offset: 0 })),
    jobCsv: await timed(() => reportCsvText(store.reports.rowBatches({ jobId }))),
  };
  await host.stop();
  // A few files changed since they were verified: the list must leave them out.
  const later = new Date(Date.now() + 60_000);
  for (const i of instances.slice(0, 10)) fs.utimesSync(i.path, later, later);

  const cli = (...a: string[]) => [SAFEKEEP_BIN, ...a, '--data', data];
  const startup = await measure(cli('remote', 'list'));
  const verdictCsv = await measure(cli('report', '--remote', 'bench', '--out', path.join(work, 'verdicts.csv')));
  const safe = await measure(cli('report', '--safe-to-delete', '--remote', 'bench', '--out', path.join(work, 'safe.txt')));
  const jobCsv = await measure(cli('report', '--job', String(jobId), '--out', path.join(work, 'job.csv')));
  const peer = await measure(['-e', PEER, path.join(data, 'safekeep.sqlite'), path.join(work, 'peer.csv')]);
  for (const [name, r] of Object.entries({ verdictCsv, safe, jobCsv, peer })) if (r.code !== 0) throw new Error(`${name}: exit ${r.code}\n${r.stderr}`);
  const lines = (f: string) => fs.readFileSync(path.join(work, f), 'utf8').split('\n').filter(Boolean).length;
  const size = (f: string) => fs.statSync(path.join(work, f)).size / 2 ** 20;

  console.log(`\nVerdict reports, ${files} instances (${totals.committed} committed, ${totals.failed} failed, ${totals.pending} pending), one archive\n`);
  console.log(
    table([
      ['what', 'time (s)', 'peak memory (MiB)', 'output'],
      ['safekeep report --remote (verdict CSV)', fmt(verdictCsv.ms / 1000, 2), fmt(verdictCsv.peakMiB, 0), `${lines('verdicts.csv') - 1} rows, ${fmt(size('verdicts.csv'))} MiB`],
      ['safekeep report --safe-to-delete (stats every committed file)', fmt(safe.ms / 1000, 2), fmt(safe.peakMiB, 0), `${lines('safe.txt')} paths`],
      ["safekeep report --job (every row of the job's requests, as sent)", fmt(jobCsv.ms / 1000, 2), fmt(jobCsv.peakMiB, 0), `${lines('job.csv') - 1} rows`],
      ['safekeep remote list (start-up and store open only)', fmt(startup.ms / 1000, 2), fmt(startup.peakMiB, 0), '-'],
      ['peer: SELECT * FROM verdicts, iterated, csv-stringify stream', fmt(peer.ms / 1000, 2), fmt(peer.peakMiB, 0), `${lines('peer.csv') - 1} rows, ${fmt(size('peer.csv'))} MiB`],
    ]),
  );
  console.log(`\nsafe-to-delete left out (stderr):\n${safe.stderr.split('\n').filter((l) => l.startsWith('left out')).map((l) => `  ${l}`).join('\n')}`);
  console.log(
    `\nratio: verdict CSV ${fmt(verdictCsv.ms / peer.ms, 2)}x the peer's time (${fmt((verdictCsv.ms - startup.ms) / peer.ms, 2)}x without the CLI start-up), ` +
      `${fmt(verdictCsv.peakMiB / peer.peakMiB, 2)}x its peak memory; safe-to-delete ${fmt(safe.ms / peer.ms, 2)}x the peer's time`,
  );
  console.log(
    `in the core (what the Report screen asks): archive summary ${fmt(inCore.archiveSummary, 0)} ms, a page of 200 studies ${fmt(inCore.studies, 0)} ms; ` +
      `the job (10 requests resent: latest row per instance) summary ${fmt(inCore.jobSummary, 0)} ms, a page of its studies ${fmt(inCore.jobStudies, 0)} ms, its CSV ${fmt(inCore.jobCsv / 1000, 2)} s`,
  );
  console.log(`store writes: creating the job (${requests.length} requests, pending verdicts) ${fmt(created / 1000, 2)} s; storing every outcome ${fmt(completed / 1000, 2)} s`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
