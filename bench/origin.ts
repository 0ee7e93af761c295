/**
 * Origin server: time to answer 10,000- and 100,000-instance commitment requests against the
 * library, and the server's peak memory. The named peer is the floor of the same work done
 * bare in this script: re-reading the same files' headers in a loop (what the policy must do).
 *   npm run build && npx tsx bench/origin.ts [--files 100000] [--pixel-bytes 2048]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseCommitmentResponse } from '../src-main/core/codec/response-json';
import { readDicomHeader, checkComplete } from '../src-main/core/library/header';
import { flatRefs, postCommitment, randomUid } from '../test/support/commitment';
import { startServe } from '../test/support/cli';
import { benchLibrary } from './library';
import { arg, CACHE_DIR, fmt, peakRssMiB, resetPeakRss, table } from './support';

const files = arg('files', 100_000);
const pixelBytes = arg('pixel-bytes', 2048);
const { dir, instances } = benchLibrary(files, pixelBytes);
const data = fs.mkdtempSync(path.join(CACHE_DIR, 'origin-data-'));

console.log(`Starting safekeep serve on a library of ${files} files (scan included) ...`);
const t0 = performance.now();
const server = await startServe(['--data', data, '--library', dir, '--token', 'bench=bench-secret', '--sync-window', '600'], {});
console.log(`  listening after ${fmt((performance.now() - t0) / 1000)} s`);

const rows: (string | number)[][] = [['instances', 'run', 'Safekeep POST -> 200 (s)', 'bare header re-read loop (s)', 'ratio', 'HTTP body (MB)']];
try {
  // The first request after start pays for JIT warm-up; the second shows a server that has been running.
  const startupPeak = peakRssMiB(server.child.pid!);
  const canReset = resetPeakRss(server.child.pid!);
  let requestPeak = 0;
  for (const [n, run] of ([[10_000, 'first'], [10_000, 'second'], [100_000, 'first']] as const).filter(([n]) => n <= files)) {
    const refs = flatRefs(instances.slice(0, n));
    const body = JSON.stringify((await import('../src-main/core/codec/request-json')).buildCommitmentRequest(refs));
    const t = performance.now();
    const res = await postCommitment(server.url, randomUid(), null, { token: 'bench-secret', body });
    const text = await res.text();
    const ms = performance.now() - t;
    if (res.status !== 200) throw new Error(`status ${res.status}: ${text.slice(0, 200)}`);
    const result = parseCommitmentResponse(JSON.parse(text));
    if (result.committed.length !== n) throw new Error(`committed ${result.committed.length} of ${n}`);

    const tb = performance.now();
    for (const i of instances.slice(0, n)) {
      const r = readDicomHeader(i.path);
      if (!r.ok || !checkComplete(r).complete) throw new Error(`bad file ${i.path}`);
    }
    const bare = performance.now() - tb;
    if (canReset) {
      requestPeak = Math.max(requestPeak, peakRssMiB(server.child.pid!));
      resetPeakRss(server.child.pid!);
    }
    rows.push([n, run, fmt(ms / 1000, 2), fmt(bare / 1000, 2), `${fmt(ms / bare, 2)}x`, fmt(body.length / 1e6, 1)]);
  }
  console.log(`\nOrigin server, library of ${files} instances (${pixelBytes} B pixel data each), warm page cache\n`);
  console.log(table(rows));
  console.log(`\nPeak memory (VmHWM) of the safekeep serve process: ${fmt(startupPeak, 0)} MiB during start-up (scan of the library)`);
  if (canReset) console.log(`Peak memory while answering (largest request: ${Math.min(files, 100_000)} instances): ${fmt(requestPeak, 0)} MiB`);
  else console.log(`Peak over the whole run: ${fmt(peakRssMiB(server.child.pid!), 0)} MiB (resetting the peak needs root)`);
} finally {
  server.child.kill('SIGTERM');
  await server.exited;
  fs.rmSync(data, { recursive: true, force: true });
}
