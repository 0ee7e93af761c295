import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../../src-shared/contract/errors';
import type { ScanProgress } from '../../../src-shared/library';
import type { Clock } from '../clock';
import type { FileRecord, LibraryRepo } from '../store/library-repo';
import { HeaderReaderPool } from './header-pool';
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
/** Files per header-reading job, and jobs in flight (keeps every worker busy). */
const READ_BATCH = 128;
const READS_IN_FLIGHT = 4;

/**
 * Indexes the DICOM files below the given roots into the library.
 * Only headers are read; files that are not instances are recorded with a reason;
 * nothing a file contains can stop the scan. Rescans skip files whose size and
 * mtime are unchanged and drop index entries whose file is gone.
 */
export async function scanLibrary(
  repo: LibraryRepo,
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
    removed: 0,
    bytesRead: 0,
    bytesOfFiles: 0,
    state: 'running',
    startedAt: new Date(clock.now()).toISOString(),
  };
  const interval = options.progressIntervalMs ?? 250;
  const headers = options.headers ?? new HeaderReaderPool(null);
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
      repo.addRoot(root, clock.now());
      const known = options.full ? new Map() : repo.fileStates(root);
      const seen = new Set<string>();
      let batch: FileRecord[] = [];
      const flush = () => {
        if (batch.length === 0) return;
        const c = repo.applyBatch(batch, clock.now());
        progress.indexed += c.indexed;
        progress.skipped += c.skipped;
        progress.conflicts += c.conflicts;
        batch = [];
      };
      const onWalkError = (dir: string, e: NodeJS.ErrnoException) => {
        seen.add(dir); // recorded under the folder's own path, so the next rescan keeps it
        batch.push({ path: dir, root, size: 0, mtimeMs: 0, status: 'skipped', reason: 'unreadable', message: `Folder not readable: ${e.code ?? e.message}` });
      };
      // Header reads go out in batches and come back in order, so "first file wins" on duplicates holds.
      type Stat = { path: string; size: number; mtimeMs: number };
      const reads: { files: Stat[]; results: ReturnType<HeaderReaderPool['read']> }[] = [];
      let toRead: Stat[] = [];
      const dispatch = () => {
        if (toRead.length === 0) return;
        reads.push({ files: toRead, results: headers.read(toRead.map((f) => f.path)) });
        toRead = [];
      };
      const collect = async (until: number) => {
        while (reads.length > until) {
          const { files, results } = reads.shift()!;
          const rs = await results;
          files.forEach((f, k) => {
            const r = rs[k]!;
            progress.bytesRead += r.bytesRead;
            progress.bytesOfFiles += r.fileSize;
            batch.push(
              r.ok
                ? { path: f.path, root, size: f.size, mtimeMs: f.mtimeMs, status: 'indexed', header: r.header }
                : { path: f.path, root, size: f.size, mtimeMs: f.mtimeMs, status: 'skipped', reason: r.reason, message: r.message },
            );
          });
          if (batch.length >= BATCH) flush();
          report();
        }
      };
      for await (const file of walkFiles(root, onWalkError, options.signal)) {
        if (options.signal?.aborted) break;
        progress.filesSeen++;
        seen.add(file);
        let st: fs.Stats;
        try {
          st = fs.statSync(file);
        } catch (e) {
          batch.push({ path: file, root, size: 0, mtimeMs: 0, status: 'skipped', reason: 'unreadable', message: String((e as Error).message) });
          continue;
        }
        const prev = known.get(file);
        if (prev && prev.size === st.size && prev.mtimeMs === Math.trunc(st.mtimeMs)) {
          progress.unchanged++;
        } else {
          toRead.push({ path: file, size: st.size, mtimeMs: st.mtimeMs });
          if (toRead.length >= READ_BATCH) {
            dispatch();
            await collect(READS_IN_FLIGHT - 1);
          }
        }
        report();
      }
      dispatch();
      await collect(0);
      flush();
      // A cancelled walk has not seen everything: removing "missing" files then would lose entries.
      if (!options.signal?.aborted) {
        progress.removed += repo.removeMissing(root, seen);
        repo.markScanned(root, clock.now());
      }
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
