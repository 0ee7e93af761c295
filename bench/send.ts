/**
 * Sending what the archive lacks (issue 11 §1):
 *  1. C-STORE throughput: Safekeep's sender against dcmtk's storescu, the same CT-sized files
 *     (512 KiB) to the same Orthanc 1.10, each run into a fresh Orthanc storage, in ABBA order;
 *  2. peak memory of Safekeep's sender over 10,000 such files (goal: under 300 MB);
 *  3. the same comparison against Orthanc as Debian ships it, Nagle's algorithm on (see below).
 * (STOW-RS throughput and the `compare` timings belong in this script too, as further sections.)
 *
 *   npm run bench send    or    npx tsx bench/send.ts [--files 2000] [--memory-files 10000] [--nagle-files 200] [--rounds 2]
 *
 * Debian's DCMTK build (Orthanc's and storescu's DICOM stack) leaves Nagle's algorithm on unless
 * TCP_NODELAY=1 is in the environment; every C-STORE-RSP then waits for a delayed ACK (~40 ms).
 * Sections 1 and 2 set TCP_NODELAY=1 for Orthanc and storescu; section 3 does not.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { setDimseLibraryLogLevel } from '../src-main/core/dimse/lib';
import { storeInstances, type StoreItem } from '../src-main/core/dimse/store-scu';
import { TS } from '../test/support/dicom-writer';
import type { GeneratedInstance } from '../test/support/fixtures';
import { startOrthanc, type OrthancHandle } from '../test/support/orthanc';
import { benchLibrary } from './library';
import { arg, fmt, peakRssMiB, resetPeakRss, table } from './support';

setDimseLibraryLogLevel('silent');
const run = promisify(execFile);
const PIXEL_BYTES = 512 * 1024;
const files = arg('files', 2_000);
const memoryFiles = arg('memory-files', 10_000);
const nagleFiles = arg('nagle-files', 200);
const rounds = arg('rounds', 2);

const { instances: all } = benchLibrary(Math.max(files, memoryFiles, nagleFiles), PIXEL_BYTES, 100);
const sizeOf = (xs: GeneratedInstance[]) => xs.reduce((n, i) => n + fs.statSync(i.path).size, 0);
const items = (xs: GeneratedInstance[]): StoreItem[] =>
  xs.map((i) => ({ path: i.path, sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, transferSyntaxUid: TS.explicitLE }));

interface Figures {
  sender: string;
  files: number;
  seconds: number;
  bytes: number;
  cpuSeconds: number;
  peakMiB: number;
}

function setNagle(on: boolean): void {
  if (on) delete process.env.TCP_NODELAY;
  else process.env.TCP_NODELAY = '1';
}

async function freshOrthanc(): Promise<OrthancHandle> {
  return startOrthanc({ modalities: { safekeep: ['SAFEKEEP', '127.0.0.1', 104] } });
}

async function countInOrthanc(o: OrthancHandle): Promise<number> {
  return (await o.rest<{ CountInstances: number }>('GET', '/statistics')).CountInstances;
}

async function viaStorescu(xs: GeneratedInstance[]): Promise<Figures> {
  const o = await freshOrthanc();
  try {
    const t = performance.now();
    const { stderr } = await run('/usr/bin/time', ['-f', 'TIME %U %S %M', 'storescu', '-aet', 'STORESCU', '-aec', o.aeTitle, '127.0.0.1', String(o.dicomPort), ...xs.map((i) => i.path)], {
      maxBuffer: 64 << 20,
    });
    const seconds = (performance.now() - t) / 1000;
    const [user, sys, maxKb] = (/TIME (\S+) (\S+) (\d+)/.exec(stderr) ?? []).slice(1).map(Number);
    const stored = await countInOrthanc(o);
    if (stored !== xs.length) throw new Error(`storescu: Orthanc holds ${stored} of ${xs.length}`);
    return { sender: 'dcmtk storescu', files: xs.length, seconds, bytes: sizeOf(xs), cpuSeconds: user! + sys!, peakMiB: maxKb! / 1024 };
  } finally {
    await o.stop();
  }
}

async function viaSafekeep(xs: GeneratedInstance[], resetPeak = true): Promise<Figures> {
  const o = await freshOrthanc();
  try {
    const peakReset = !resetPeak || resetPeakRss(process.pid);
    const cpu = process.cpuUsage();
    const t = performance.now();
    const r = await storeInstances({
      callingAeTitle: 'SAFEKEEP',
      called: { aeTitle: o.aeTitle, host: '127.0.0.1', port: o.dicomPort },
      items: items(xs),
      timeoutMs: 30_000,
    });
    const seconds = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    if (r.counts.stored !== xs.length) throw new Error(`Safekeep stored ${r.counts.stored} of ${xs.length}: ${JSON.stringify(r.counts)} ${r.error?.message ?? ''}`);
    const stored = await countInOrthanc(o);
    if (stored !== xs.length) throw new Error(`Safekeep: Orthanc holds ${stored} of ${xs.length}`);
    return {
      sender: 'Safekeep C-STORE',
      files: xs.length,
      seconds,
      bytes: sizeOf(xs),
      cpuSeconds: (used.user + used.system) / 1e6,
      peakMiB: peakReset ? peakRssMiB(process.pid) : NaN,
    };
  } finally {
    await o.stop();
  }
}

const row = (f: Figures) => [f.sender, f.files, fmt(f.seconds, 1), fmt(f.files / f.seconds, 1), fmt(f.bytes / 1e6 / f.seconds, 1), fmt(f.cpuSeconds, 1), fmt(f.peakMiB, 0)];
const HEAD = ['sender', 'files', 'seconds', 'instances/s', 'MB/s (files)', 'sender CPU s', 'peak RSS MiB'];
const best = (xs: Figures[]) => xs.reduce((a, b) => (b.seconds < a.seconds ? b : a));

/**
 * Section 2 runs in a child process (this script with --memory-child): its peak resident memory is
 * the sender's whole process (Node, tsx, the library manifest, the sender), not what the parent's
 * library generation and other runs left behind.
 */
if (process.argv.includes('--memory-child')) {
  setNagle(false);
  const f = await viaSafekeep(all.slice(0, memoryFiles), false);
  console.log(JSON.stringify({ ...f, peakMiB: peakRssMiB(process.pid) }));
  process.exit(0);
}

setNagle(false);
console.log(`\nSafekeep sending ${memoryFiles} files of ${PIXEL_BYTES / 1024} KiB pixel data in a child process (peak memory) ...`);
const child = await run(process.execPath, ['--import', 'tsx', ...process.argv.slice(1), '--memory-child'], { maxBuffer: 64 << 20 });
const memory = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Figures;
// The memory run has also read every file once: the page cache is warm for both senders below.

console.log(`C-STORE throughput, ${files} files, ${rounds} round(s) in ABBA order, Orthanc with TCP_NODELAY=1 ...`);
const dcmtk: Figures[] = [];
const safekeep: Figures[] = [];
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? [viaStorescu, viaSafekeep] : [viaSafekeep, viaStorescu];
  for (const sender of order) {
    const f = await sender(all.slice(0, files));
    (sender === viaStorescu ? dcmtk : safekeep).push(f);
    console.log(`  ${f.sender}: ${fmt(f.seconds, 1)} s`);
  }
}

setNagle(true);
console.log(`Against Orthanc as Debian ships it (Nagle on), ${nagleFiles} files ...`);
const nagle = [await viaStorescu(all.slice(0, nagleFiles)), await viaSafekeep(all.slice(0, nagleFiles))];

const [d, s] = [best(dcmtk), best(safekeep)];
console.log(`\nC-STORE to Orthanc 1.10 on loopback, one association, files of ${fmt(sizeOf(all.slice(0, 1)) / 1024, 0)} KiB (best of ${rounds}; MB = 10^6 bytes)\n`);
console.log(table([HEAD, ...[...dcmtk, ...safekeep].map(row)]));
console.log(`\nSafekeep / storescu throughput (best runs): ${fmt(d.seconds / s.seconds, 2)}x`);
console.log(`\nPeak memory, Safekeep sending ${memoryFiles} files (goal < 300 MB): ${fmt(memory.peakMiB, 0)} MiB, peak RSS of the sending process (Node + tsx + sender)`);
console.log(table([HEAD, row(memory)]));
console.log(`\nOrthanc as Debian ships it (DCMTK without TCP_NODELAY: delayed ACKs), ${nagleFiles} files\n`);
console.log(table([HEAD, ...nagle.map(row)]));
