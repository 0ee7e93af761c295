import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../../src-shared/contract/errors';
import type { ScanProgress } from '../../../src-shared/library';
import type { Clock } from '../scheduler';
import type { LibraryStore } from '../store/ports';
import type { FileRecord } from './model/files';
import { settleCopies } from './copies';
import { HeaderReaderPool, type ScanResult } from './header-pool';
import { walkFiles } from './walker';

export interface ScanOptions {
  signal?: AbortSignal;
  /** Called at most every `progressIntervalMs` and once at the end. */
  onProgress?: (p: ScanProgress) => void;
  progressIntervalMs?: number;
  /** Re-read every file even if size and mtime are unchanged. */
  full?: boolean;
  /** Reads headers on worker threads when the host configured them. */
  headers?: HeaderReaderPool;
}

const BATCH = 500;
/** Progress is announced at most this often (the UI cannot show more). */
const PROGRESS_INTERVAL_MS = 250;
/** Files per job; jobs in flight: two per worker, so none waits while the main thread writes. */
const READ_BATCH = 64;

/**
 * Indexes the DICOM files below the given roots into the library.
 * Only headers are read; files that are not instances are recorded with a reason,
 * instances with truncated Pixel Data are indexed with a flag, and a second file of
 * an instance waits as a duplicate copy or a conflict; nothing a file contains can
 * stop the scan. Rescans skip files whose size and
 * mtime are unchanged and drop index entries whose file is gone.
 */
export async function scanLibrary(
  repo: LibraryStore,
  roots: string[],
  clock: Clock,
  options: ScanOptions = {},
): Promise<ScanProgress> {
  const absRoots = roots.map((r) => path.resolve(r));
  for (const r of absRoots) {
    try {
      fs.accessSync(r, fs.constants.R_OK);
    } catch (e) {
      throw new AppError('bad-request', `Cannot read ${r}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  const progress: ScanProgress = {
    scanId: randomUUID(),
    roots: absRoots,
    filesSeen: 0,
    indexed: 0,
    unchanged: 0,
    skipped: 0,
    conflicts: 0,
    duplicates: 0,
    flagged: 0,
    removed: 0,
    bytesRead: 0,
    bytesOfFiles: 0,
    state: 'running',
    startedAt: new Date(clock.now()).toISOString(),
  };
  const interval = options.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
  const headers = options.headers ?? new HeaderReaderPool(null);
  const inFlight = Math.max(2, headers.size * 2);
  let lastReport = 0;
  const report = (force = false) => {
    const t = Date.now();
    if (!force && t - lastReport < interval) return;
    lastReport = t;
    options.onProgress?.({ ...progress });
  };
  report(true);

  try {
    for (const root of absRoots) {
      if (options.signal?.aborted) break;
      await repo.addRoot(root, clock.now());
      const known = options.full ? new Map() : await repo.fileStates(root);
      const ownerOf = await repo.ownerFinder(root);
      const seen = new Set<string>();
      let batch: FileRecord[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const records = batch;
        batch = [];
        const c = await repo.applyBatch(records, clock.now());
        progress.indexed += c.indexed;
        progress.skipped += c.skipped;
        progress.conflicts += c.conflicts;
        progress.flagged += c.flagged;
      };
      const onWalkError = (dir: string, e: NodeJS.ErrnoException) => {
        seen.add(dir); // recorded under the folder's own path, so the next rescan keeps it
        batch.push({ path: dir, root: ownerOf(dir), size: 0, mtimeMs: 0, status: 'skipped', reason: 'unreadable', message: `Folder not readable: ${e.code ?? e.message}` });
      };
      // Disk access goes out in batches (stat and header read on worker threads) and comes back in order,
      // so "first file wins" on duplicates holds.
      const jobs: { paths: string[]; results: Promise<ScanResult[]> }[] = [];
      let paths: string[] = [];
      let prev: ([number, number] | null)[] = [];
      const dispatch = () => {
        if (paths.length === 0) return;
        jobs.push({ paths, results: headers.scan(paths, prev) });
        paths = [];
        prev = [];
      };
      const collect = async (until: number) => {
        while (jobs.length > until) {
          const job = jobs.shift()!;
          const rs = await job.results;
          job.paths.forEach((path, k) => {
            const r = rs[k]!;
            if (r.kind === 'unchanged') {
              progress.unchanged++;
              return;
            }
            const root = ownerOf(path);
            if (r.kind === 'error') {
              batch.push({ path, root, size: 0, mtimeMs: 0, status: 'skipped', reason: 'unreadable', message: r.message });
              return;
            }
            progress.bytesRead += r.read.bytesRead;
            progress.bytesOfFiles += r.read.fileSize;
            const file = { path, root, size: r.size, mtimeMs: r.mtimeMs };
            if (!r.read.ok) batch.push({ ...file, status: 'skipped', reason: r.read.reason, message: r.read.message });
            else {
              // Truncated Pixel Data: indexed all the same (the header is sound), with a flag.
              const problem = r.read.pixelDataProblem;
              batch.push({ ...file, status: 'indexed', header: r.read.header, ...(problem ? { flag: { code: 'pixel-data-truncated', message: problem } } : {}) });
            }
          });
          if (batch.length >= BATCH) await flush();
          report();
        }
      };
      for await (const file of walkFiles(root, onWalkError, options.signal)) {
        if (options.signal?.aborted) break;
        progress.filesSeen++;
        seen.add(file);
        const p = known.get(file);
        paths.push(file);
        prev.push(p ? [p.size, p.mtimeMs] : null);
        if (paths.length >= READ_BATCH) {
          dispatch();
          await collect(inFlight - 1);
        }
        report();
      }
      dispatch();
      await collect(0);
      await flush();
      // A cancelled walk has not seen everything: removing "missing" files then would lose entries.
      if (!options.signal?.aborted) {
        progress.removed += await repo.removeMissing(root, seen);
        await repo.markScanned(root, clock.now());
      }
    }
    if (!options.signal?.aborted) {
      // Second copies of the same size as the file holding their instance: duplicate copy or conflict?
      const copies = await settleCopies(repo, options.signal);
      progress.duplicates += copies.duplicates;
      progress.conflicts += copies.conflicts;
    }
    progress.state = options.signal?.aborted ? 'cancelled' : 'done';
  } catch (e) {
    progress.state = 'failed';
    progress.error = e instanceof Error ? e.message : String(e);
    throw e;
  } finally {
    progress.finishedAt = new Date(clock.now()).toISOString();
    report(true);
  }
  return progress;
}
