import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { checkComplete, readDicomHeader, type HeaderReadResult } from './header';
import { unchangedSince } from './unchanged';

export interface HeaderJob {
  id: number;
  paths: string[];
  /**
   * 'scan': stat each file and read its header unless size and mtime equal `prev` (incremental rescans);
   * 'verify': only what a commitment decision needs, compact.
   */
  mode: 'scan' | 'verify';
  /** For 'scan': [size, mtime ms] the index knows for each path, or null. */
  prev?: ([number, number] | null)[];
}

/** One file as a scan sees it: all its disk access (stat, header read) happens on a worker. */
export type ScanResult =
  | { kind: 'unchanged'; size: number; mtimeMs: number }
  | { kind: 'read'; size: number; mtimeMs: number; read: HeaderReadResult }
  | { kind: 'error'; message: string };

export function scanFile(path: string, prev: [number, number] | null | undefined): ScanResult {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch (e) {
    return { kind: 'error', message: (e as Error).message };
  }
  const mtimeMs = Math.trunc(st.mtimeMs);
  if (prev && unchangedSince(st, { size: prev[0], mtimeMs: prev[1] })) return { kind: 'unchanged', size: st.size, mtimeMs };
  return { kind: 'read', size: st.size, mtimeMs, read: readDicomHeader(path) };
}

/** What a commit-time re-read tells: the file's UIDs now, and whether its Pixel Data is all there. */
export type VerifyResult =
  | { ok: true; sopInstanceUid: string; sopClassUid: string; complete: true }
  | { ok: true; sopInstanceUid: string; sopClassUid: string; complete: false; message: string }
  | { ok: false; reason: string; message: string };

export function verifyFile(path: string): VerifyResult {
  const r = readDicomHeader(path);
  if (!r.ok) return { ok: false, reason: r.reason, message: r.message };
  const c = checkComplete(r);
  const ids = { sopInstanceUid: r.header.sopInstanceUid, sopClassUid: r.header.sopClassUid };
  return c.complete ? { ok: true, ...ids, complete: true } : { ok: true, ...ids, complete: false, message: c.message };
}

export function runHeaderJob(job: Omit<HeaderJob, 'id'>): (VerifyResult | ScanResult)[] {
  return job.mode === 'scan' ? job.paths.map((p, i) => scanFile(p, job.prev?.[i])) : job.paths.map(verifyFile);
}

type Slot = { worker: Worker; busy: number };

/** Reads headers of many files on worker threads, in batches, so every core works and the main thread stays free. */
export class HeaderReaderPool {
  private readonly workers: Slot[] = [];
  private readonly pending = new Map<number, { slot: Slot; resolve: (r: unknown[]) => void; reject: (e: unknown) => void }>();
  private nextId = 1;

  /**
   * `script`: the compiled worker (hosts that run from a build pass it in, see HostPaths). Without it (tests
   * running from source) headers are read on the calling thread, with the same results.
   */
  constructor(
    private readonly script: URL | null = null,
    readonly size = Math.max(1, Math.min(4, os.availableParallelism())),
  ) {}

  scan(paths: string[], prev: ([number, number] | null)[]): Promise<ScanResult[]> {
    return this.run(paths, 'scan', prev) as Promise<ScanResult[]>;
  }

  verify(paths: string[]): Promise<VerifyResult[]> {
    return this.run(paths, 'verify') as Promise<VerifyResult[]>;
  }

  /** Starts the workers ahead of the first large request. */
  warm(): void {
    if (this.script) while (this.workers.length < this.size) this.spawn();
  }

  private run(paths: string[], mode: HeaderJob['mode'], prev?: HeaderJob['prev']): Promise<unknown[]> {
    if (!this.script) return Promise.resolve(runHeaderJob({ paths, mode, ...(prev ? { prev } : {}) }));
    const slot = this.workers.length < this.size && this.workers.every((w) => w.busy > 0) ? this.spawn() : this.leastBusy();
    const id = this.nextId++;
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { slot, resolve, reject });
      slot.worker.postMessage({ id, paths, mode, ...(prev ? { prev } : {}) } satisfies HeaderJob);
    });
  }

  private leastBusy(): Slot {
    return this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
  }

  private spawn(): Slot {
    // Jobs are small (a few hundred paths); a small heap keeps each worker's memory low.
    const worker = new Worker(this.script!, { resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 256 } });
    worker.unref(); // an idle pool never keeps the process alive
    const slot: Slot = { worker, busy: 0 };
    worker.on('message', (m: { id: number; results: unknown[] }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      slot.busy--;
      p.resolve(m.results);
    });
    worker.on('error', (e) => {
      // Fail this worker's jobs and replace it on the next request.
      for (const [id, p] of this.pending) {
        if (p.slot !== slot) continue;
        this.pending.delete(id);
        p.reject(e);
      }
      const i = this.workers.indexOf(slot);
      if (i >= 0) this.workers.splice(i, 1);
    });
    this.workers.push(slot);
    return slot;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
  }
}
