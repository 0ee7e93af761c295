/**
 * STOW-RS (issue 11): throughput of Safekeep's STOW-RS client into Orthanc's DICOMweb plugin on
 * 2,000 CT-sized files (512 KiB), side by side with the named peer on the same files and a fresh
 * Orthanc each run: Orthanc's own REST upload (`POST /instances`, one file per request, read whole), and
 * curl posting the very same STOW-RS request bodies (written to disk beforehand), which separates the
 * client's cost from Orthanc's cost of a STOW-RS request.
 * Then peak memory of a STOW-RS run of 10,000 such files (its own process), and the time of
 * QIDO-RS study listings for 100 studies against the peer `POST /tools/find` (Orthanc REST).
 *   npx tsx bench/stow.ts [--files 2000] [--memory-files 10000] [--studies 100] [--throughput-only]
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';
import { stowBody } from '../src-main/core/remotes/stow-body';
import { studiesServices } from '../test/support/studies-services';
import { startOrthanc, type OrthancHandle } from '../test/support/orthanc';
import type { GeneratedInstance } from '../test/support/fixtures';
import { benchLibrary } from './library';
import { arg, BENCH_DIR, CACHE_DIR, fmt, table } from './support';

const CT_BYTES = 512 * 1024;

// Child mode: one STOW-RS run of a manifest's files, reporting its own peak memory (VmHWM).
if (process.argv.includes('--child')) {
  const [manifest, base, count] = [process.argv[3]!, process.argv[4]!, Number(process.argv[5])];
  const instances = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as GeneratedInstance[]).slice(0, count);
  const t = performance.now();
  const r = await studiesServices(base, { timeoutSeconds: 600 }).stow.store(instances);
  const stored = [...r.outcomes.values()].filter((o) => o.kind === 'stored').length;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  console.log(JSON.stringify({ ms: performance.now() - t, stored, peakMiB: Number(hwm?.[1] ?? NaN) / 1024 }));
  process.exit(0);
}

const files = arg('files', 2000);
const memoryFiles = arg('memory-files', 10_000);
const studies = arg('studies', 100);

const big = benchLibrary(Math.max(files, memoryFiles), CT_BYTES);
const sample = big.instances.slice(0, files);
const bytes = sample.reduce((n, i) => n + fs.statSync(i.path).size, 0);
const mb = bytes / 1e6;

async function withOrthanc<T>(fn: (o: OrthancHandle) => Promise<T>): Promise<T> {
  const o = await startOrthanc({ modalities: {}, dicomWeb: true, startTimeoutMs: 60_000 });
  try {
    return await fn(o);
  } finally {
    await o.stop();
  }
}

async function countInstances(o: OrthancHandle): Promise<number> {
  return (await o.rest<{ CountInstances: number }>('GET', '/statistics')).CountInstances;
}

async function stowRun(concurrency: number, perRequest: number): Promise<{ ms: number; stored: number }> {
  return withOrthanc(async (o) => {
    const { stow, http } = studiesServices(`${o.url}/dicom-web`, { timeoutSeconds: 600 });
    const t = performance.now();
    const r = await stow.store(sample, { concurrency, maxInstancesPerRequest: perRequest });
    const ms = performance.now() - t;
    await http.close();
    const stored = [...r.outcomes.values()].filter((x) => x.kind === 'stored').length;
    if (stored !== sample.length || (await countInstances(o)) !== sample.length) throw new Error(`STOW-RS stored ${stored} of ${sample.length}`);
    return { ms, stored };
  });
}

/** The peer: Orthanc's REST upload, one whole file per POST /instances, `concurrency` in flight. */
async function restRun(concurrency: number): Promise<{ ms: number; stored: number }> {
  return withOrthanc(async (o) => {
    const agent = new Agent({ keepAliveTimeout: 10_000 });
    let next = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < sample.length) {
          const i = sample[next++]!;
          const res = await request(`${o.url}/instances`, { method: 'POST', body: fs.readFileSync(i.path), dispatcher: agent });
          await res.body.arrayBuffer();
          if (res.statusCode !== 200) throw new Error(`POST /instances: HTTP ${res.statusCode}`);
        }
      }),
    );
    const ms = performance.now() - t;
    await agent.close();
    const stored = await countInstances(o);
    if (stored !== sample.length) throw new Error(`REST stored ${stored} of ${sample.length}`);
    return { ms, stored };
  });
}

/** The peer for the transport: curl 7.88 posting the same multipart/related bodies, built once on disk. */
async function curlRun(perRequest: number, inFlight: number): Promise<{ ms: number; stored: number }> {
  const bodies = path.join(CACHE_DIR, `stow-bodies-${files}-${perRequest}`);
  const boundary = 'safekeep-bench-0123456789abcdef';
  if (!fs.existsSync(path.join(bodies, 'done'))) {
    fs.rmSync(bodies, { recursive: true, force: true });
    fs.mkdirSync(bodies, { recursive: true });
    for (let i = 0; i * perRequest < sample.length; i++) {
      const batch = sample.slice(i * perRequest, (i + 1) * perRequest).map((f) => ({ path: f.path, size: fs.statSync(f.path).size }));
      await pipeline(stowBody(batch, boundary).stream, fs.createWriteStream(path.join(bodies, `${String(i).padStart(5, '0')}.body`)));
    }
    fs.writeFileSync(path.join(bodies, 'done'), '');
  }
  const list = fs.readdirSync(bodies).filter((f) => f.endsWith('.body')).sort();
  return withOrthanc(async (o) => {
    let next = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < list.length) {
          const file = path.join(bodies, list[next++]!);
          const code = await new Promise<string>((resolve, reject) =>
            execFile(
              'curl',
              // `Expect:` off: Orthanc does not answer 100-continue, and curl would wait 1 s per request for it.
              ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', '-H', `Content-Type: multipart/related; type="application/dicom"; boundary=${boundary}`,
                '-H', 'Accept: application/dicom+json', '-H', 'Expect:', '--data-binary', `@${file}`, `${o.url}/dicom-web/studies`],
              (err, stdout) => (err ? reject(err) : resolve(stdout)),
            ),
          );
          if (code !== '200') throw new Error(`curl STOW-RS: HTTP ${code}`);
        }
      }),
    );
    const ms = performance.now() - t;
    const stored = await countInstances(o);
    if (stored !== sample.length) throw new Error(`curl stored ${stored} of ${sample.length}`);
    return { ms, stored };
  });
}

/** A STOW-RS run of `count` files in a child process (count 0: the process's own footprint, node + tsx). */
async function memoryRun(count: number): Promise<{ ms: number; stored: number; peakMiB: number }> {
  const manifest = path.join(BENCH_DIR, '.cache', `library-${Math.max(files, memoryFiles)}-${CT_BYTES}.json`);
  return withOrthanc(async (o) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'stow.ts'), '--child', manifest, `${o.url}/dicom-web`, String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    if (code !== 0) throw new Error(`the STOW-RS child exited with ${code}`);
    return JSON.parse(out.trim().split('\n').pop()!) as { ms: number; stored: number; peakMiB: number };
  });
}

async function qidoRun(): Promise<{ qidoMs: number; findMs: number; listed: number; found: number; perStudy: number }> {
  const lib = benchLibrary(studies * 20, 2048, 4); // `studies` studies of 5 series x 4 instances
  const studyUids = [...new Set(lib.instances.map((i) => i.studyUid))];
  return withOrthanc(async (o) => {
    const { stow, qido } = studiesServices(`${o.url}/dicom-web`, { timeoutSeconds: 600 });
    const r = await stow.store(lib.instances, { maxInstancesPerRequest: 100 });
    if ([...r.outcomes.values()].some((x) => x.kind !== 'stored')) throw new Error('the QIDO library was not all stored');
    let t = performance.now();
    let listed = 0;
    for (const s of studyUids) listed += (await qido.studyInstances(s)).length;
    const qidoMs = performance.now() - t;
    t = performance.now();
    let found = 0;
    for (const s of studyUids) {
      found += (await o.rest<unknown[]>('POST', '/tools/find', { Level: 'Instance', Query: { StudyInstanceUID: s } })).length;
    }
    const findMs = performance.now() - t;
    if (listed !== lib.instances.length || found !== lib.instances.length) throw new Error(`listed ${listed}, found ${found} of ${lib.instances.length}`);
    return { qidoMs, findMs, listed, found, perStudy: lib.instances.length / studyUids.length };
  });
}

console.log(`\nSTOW-RS of ${files} CT-sized files (${fmt(mb / files, 3)} MB each, ${fmt(mb, 0)} MB) into Orthanc 1.10 + DICOMweb plugin 1.7, loopback, a fresh Orthanc per run\n`);
const rows: (string | number)[][] = [['client', 'in flight', 'instances/s', 'MB/s', 's']];
const row = (name: string, inFlight: number, r: { ms: number }) => rows.push([name, inFlight, fmt(files / (r.ms / 1000), 0), fmt(mb / (r.ms / 1000), 1), fmt(r.ms / 1000, 1)]);
// Other processes share this machine's 2 cores: every client runs twice, interleaved, and its best run counts.
const runs: [string, number, () => Promise<{ ms: number }>][] = [
  ['Safekeep STOW-RS, 10 per request (default)', 2, () => stowRun(2, 10)],
  ['peer: curl, the same STOW-RS bodies, 10 per request', 2, () => curlRun(10, 2)],
  ['peer: Orthanc REST POST /instances', 2, () => restRun(2)],
  ['Safekeep STOW-RS, 50 per request', 2, () => stowRun(2, 50)],
  ['peer: curl, the same STOW-RS bodies, 50 per request', 2, () => curlRun(50, 2)],
  ['Safekeep STOW-RS, 10 per request', 1, () => stowRun(1, 10)],
  ['peer: Orthanc REST POST /instances', 1, () => restRun(1)],
];
const best = new Map<string, number>();
for (let round = 0; round < 2; round++) {
  for (const [name, inFlight, run] of runs) {
    const key = `${name}|${inFlight}`;
    const { ms } = await run();
    best.set(key, Math.min(best.get(key) ?? Infinity, ms));
  }
}
for (const [name, inFlight] of runs) row(name, inFlight, { ms: best.get(`${name}|${inFlight}`)! });
const ms = (name: string, inFlight: number) => best.get(`${name}|${inFlight}`)!;
console.log(table(rows));
console.log(
  `\nSafekeep STOW-RS vs curl sending the same requests (2 in flight): ` +
    `${fmt(ms('peer: curl, the same STOW-RS bodies, 10 per request', 2) / ms('Safekeep STOW-RS, 10 per request (default)', 2), 2)}x at 10 per request, ` +
    `${fmt(ms('peer: curl, the same STOW-RS bodies, 50 per request', 2) / ms('Safekeep STOW-RS, 50 per request', 2), 2)}x at 50`,
);
console.log(
  `Safekeep STOW-RS (10 per request) vs Orthanc REST upload (one file per request): ` +
    `${fmt(ms('peer: Orthanc REST POST /instances', 1) / ms('Safekeep STOW-RS, 10 per request', 1), 2)}x with 1 in flight, ` +
    `${fmt(ms('peer: Orthanc REST POST /instances', 2) / ms('Safekeep STOW-RS, 10 per request (default)', 2), 2)}x with 2`,
);
if (process.argv.includes('--throughput-only')) process.exit(0);

const idle = await memoryRun(0);
const mem = await memoryRun(memoryFiles);
console.log(
  `\nSTOW-RS of ${memoryFiles} CT-sized files (${fmt((memoryFiles * CT_BYTES) / 1e9, 1)} GB) in its own process, defaults: ` +
    `${mem.stored} stored in ${fmt(mem.ms / 1000, 1)} s (${fmt(memoryFiles / (mem.ms / 1000), 0)} instances/s), ` +
    `peak resident memory ${fmt(mem.peakMiB, 0)} MiB (goal: under 300 MB; the same process sending nothing: ${fmt(idle.peakMiB, 0)} MiB)`,
);

const q = await qidoRun();
console.log(`\nListing ${studies} studies (${q.perStudy} instances each), one request per study, in turn:`);
console.log(
  table([
    ['client', 'total s', 'ms per study', 'instances'],
    ['Safekeep QIDO-RS /studies/{uid}/instances', fmt(q.qidoMs / 1000, 2), fmt(q.qidoMs / studies, 1), q.listed],
    ['peer: Orthanc REST POST /tools/find', fmt(q.findMs / 1000, 2), fmt(q.findMs / studies, 1), q.found],
  ]),
);
