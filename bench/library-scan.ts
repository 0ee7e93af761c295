/**
 * Library scan: header-only indexing (Safekeep) against a full parse of the same files
 * (read the whole file, dicomParser.parseDicom without untilTag), same run, same files.
 *   npx tsx bench/library-scan.ts [--files 20000] [--pixel-bytes 131072]
 */
import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { systemClock } from '../src-main/core/scheduler';
import { scanLibrary } from '../src-main/core/library/scanner';
import { openDb } from '../src-main/core/store/db';
import { LibraryRepo } from '../src-main/core/store/library-repo';
import { benchLibrary } from './library';
import { arg, CACHE_DIR, dropPageCache, fmt, table } from './support';
import { walkFiles } from '../src-main/core/library/walker';
import { HeaderReaderPool } from '../src-main/core/library/header-pool';

const files = arg('files', 20_000);
const pixelBytes = arg('pixel-bytes', 512 * 1024); // a CT slice: 512 x 512 x 16 bits
const { dir } = benchLibrary(files, pixelBytes);

// As `safekeep` runs it: header reads on worker threads (the built worker script; npm run build first).
const WORKER = new URL('../out/main/header-worker.js', import.meta.url);
if (!fs.existsSync(WORKER)) throw new Error('Run "npm run build" first: out/main/header-worker.js is missing');

async function headerScan(threaded: boolean): Promise<{ ms: number; bytesRead: number; indexed: number; bytesOfFiles: number }> {
  const data = fs.mkdtempSync(path.join(CACHE_DIR, 'data-'));
  const db = openDb(data);
  const pool = new HeaderReaderPool(threaded ? WORKER : null);
  const t = performance.now();
  const p = await scanLibrary(new LibraryRepo(db), [dir], systemClock, { headers: pool });
  const ms = performance.now() - t;
  await pool.close();
  db.close();
  fs.rmSync(data, { recursive: true });
  return { ms, bytesRead: p.bytesRead, indexed: p.indexed, bytesOfFiles: p.bytesOfFiles };
}

async function fullParse(): Promise<{ ms: number; bytesRead: number; indexed: number }> {
  const t = performance.now();
  let bytesRead = 0;
  let indexed = 0;
  for await (const f of walkFiles(dir, () => undefined)) {
    const buf = fs.readFileSync(f);
    bytesRead += buf.length;
    const ds = dicomParser.parseDicom(new Uint8Array(buf.buffer, buf.byteOffset, buf.length));
    if (ds.string('x00080018') && ds.string('x0020000d')) indexed++;
  }
  return { ms: performance.now() - t, bytesRead, indexed };
}

const rows: (string | number)[][] = [['cache', 'method', 'files/s', 'bytes read/file', 'read / file size', 'time s']];
const ratios: string[] = [];
for (const cold of [true, false]) {
  if (cold && !dropPageCache()) {
    console.log('(cannot drop the page cache without root: the "cold" rows are warm)');
  }
  const h = await headerScan(true);
  if (cold) dropPageCache();
  const one = await headerScan(false);
  if (cold) dropPageCache();
  const f = await fullParse();
  if (h.indexed !== files || one.indexed !== files || f.indexed !== files) throw new Error(`indexed ${h.indexed} / ${one.indexed} / ${f.indexed}, expected ${files}`);
  const label = cold ? 'cold' : 'warm';
  rows.push([label, 'Safekeep scan as shipped (header-only, worker threads, + SQLite index)', fmt(files / (h.ms / 1000), 0), fmt(h.bytesRead / files, 0), `${fmt((100 * h.bytesRead) / h.bytesOfFiles)} %`, fmt(h.ms / 1000, 2)]);
  rows.push([label, 'Safekeep header-only scan, one thread', fmt(files / (one.ms / 1000), 0), fmt(one.bytesRead / files, 0), `${fmt((100 * one.bytesRead) / one.bytesOfFiles)} %`, fmt(one.ms / 1000, 2)]);
  rows.push([label, 'full parse (readFileSync + dicomParser.parseDicom), one thread', fmt(files / (f.ms / 1000), 0), fmt(f.bytesRead / files, 0), '100.0 %', fmt(f.ms / 1000, 2)]);
  ratios.push(
    `${label} cache: the shipped scan is ${fmt(f.ms / h.ms, 2)}x and the one-thread header scan ${fmt(f.ms / one.ms, 2)}x the speed of the full parse, reading ${fmt(f.bytesRead / h.bytesRead, 1)}x fewer bytes`,
  );
}
console.log(`\nLibrary scan, ${files} files of ${fmt(pixelBytes / 1024, 0)} KiB of pixel data each\n`);
console.log(table(rows));
console.log('');
for (const r of ratios) console.log(r);
