/**
 * Client engine end to end: 100,000 instances from selection to every outcome stored, with
 * `safekeep commit` (its own process) against `safekeep serve` (another process) on loopback.
 * The named peer: the same server answering all 100,000 in one direct POST from this script.
 *   npm run build && npx tsx bench/engine.ts [--files 100000] [--per-request 1000]
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildCommitmentRequest } from '../src-main/core/codec/request-json';
import { flatRefs, postCommitment, randomUid } from '../test/support/commitment';
import { runCliToEnd, spawnCli, startServe } from '../test/support/cli';
import { benchLibrary } from './library';
import { arg, CACHE_DIR, fmt, table } from './support';

const files = arg('files', 100_000);
const perRequest = arg('per-request', 1000);
const { dir, instances } = benchLibrary(files, 2048);
const work = fs.mkdtempSync(path.join(CACHE_DIR, 'engine-'));

const server = await startServe(['--data', path.join(work, 'server'), '--library', dir, '--token', 'bench=bench-secret', '--sync-window', '600']);
try {
  // The client's library index, built beforehand (the commit's own rescan then finds every file unchanged).
  await runCliToEnd(['scan', dir, '--data', path.join(work, 'client')]);

  const client = spawnCli(['commit', dir, '--to', `${server.url}/dicomweb`, '--token', 'bench-secret', '--per-request', String(perRequest), '--json', '--flat', '--data', path.join(work, 'client')]);
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${client.child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      /* exited */
    }
  }, 50);
  // The whole command: its incremental rescan (every file unchanged), planning, persisting, sending, storing outcomes.
  const t0 = performance.now();
  const { code } = await client.exited;
  const total = performance.now() - t0;
  clearInterval(sampler);
  const result = JSON.parse(client.stdout());
  if (code !== 0 || result.totals.committed !== files) throw new Error(`commit exit ${code}: ${JSON.stringify(result.totals)}`);

  // POSTs + Result Checks the engine made, + the one pre-flight check of the remote.
  const httpRequests = 1 + result.requests.reduce((n: number, r: { attempts: number; polls: number }) => n + r.attempts + r.polls, 0);

  const body = JSON.stringify(buildCommitmentRequest(flatRefs(instances)));
  const t1 = performance.now();
  const res = await postCommitment(server.url, randomUid(), null, { token: 'bench-secret', body });
  await res.text();
  const direct = performance.now() - t1;

  console.log(`\nClient engine end to end, ${files} instances, ${perRequest} per request, loopback\n`);
  console.log(
    table([
      ['what', 'time (s)', 'HTTP requests', 'peak memory (MiB)'],
      ['safekeep commit (scan of unchanged files + plan + persist + send + store outcomes)', fmt(total / 1000, 2), httpRequests, fmt(peak, 0)],
      ['peer: one direct POST of all instances to the same server', fmt(direct / 1000, 2), 1, '-'],
    ]),
  );
  console.log(`\nratio: ${fmt(total / direct, 2)}x the direct POST; ${fmt(files / httpRequests, 0)} instances per HTTP request`);
} finally {
  server.child.kill('SIGTERM');
  await server.exited;
  fs.rmSync(work, { recursive: true, force: true });
}
