import type { LibraryScanResult } from '../../../src-shared/contract/handlers';
import { AppError } from '../../../src-shared/contract/errors';
import type { ScanProgress } from '../../../src-shared/library';
import type { Clock } from '../scheduler';
import type { EventBus } from '../events';
import { settleCopies } from '../library/copies';
import type { HeaderReaderPool } from '../library/header-pool';
import { scanLibrary, type ScanOptions } from '../library/scanner';
import { log } from '../log';
import type { LibraryStore } from '../store/ports';

export interface LibraryServiceDeps {
  store: LibraryStore;
  clock: Clock;
  /** The header readers (worker threads), shared with the library policy that re-reads files at commit time. */
  headers: HeaderReaderPool;
  events: EventBus;
  /** Announces the store's pending changes now. */
  flushChanges(): void;
}

/** The library's reads that the handlers answer with, as the store gives them. */
export type LibraryReads = Pick<
  LibraryStore,
  'roots' | 'summary' | 'studies' | 'series' | 'instancesOfSeries' | 'problems' | 'problemCount' | 'countSelection'
>;

/** Problems a scan's answer lists at most. */
const PROBLEMS_LISTED = 100_000;

/**
 * The library: scanning folders (one scan at a time, progress announced as `scan-progress`), forgetting
 * folders, and the index's reads.
 */
export class LibraryService {
  readonly read: LibraryReads;
  private activeScan: { controller: AbortController; promise: Promise<ScanProgress> } | null = null;
  private lastScanProgress: ScanProgress | null = null;
  /** Comparisons of second copies started outside a scan; stop() waits for them (they use the store). */
  private readonly settling = new Set<Promise<unknown>>();
  private readonly stopping = new AbortController();

  constructor(private readonly deps: LibraryServiceDeps) {
    this.read = deps.store;
  }

  /** Starts the header workers ahead of the first large request. */
  warm(): void {
    this.deps.headers.warm();
  }

  /** Scans library folders; one scan at a time. */
  scan(roots: string[], options: Omit<ScanOptions, 'signal' | 'onProgress' | 'headers'> = {}): Promise<ScanProgress> {
    if (this.activeScan) throw new AppError('conflict', 'A library scan is already running');
    const controller = new AbortController();
    const promise = scanLibrary(this.deps.store, roots, this.deps.clock, {
      ...options,
      headers: this.deps.headers,
      signal: controller.signal,
      onProgress: (p) => {
        this.lastScanProgress = p;
        // The scan's last writes are announced before the progress that says it ended, so a host that
        // refreshes on "done" sees the whole result.
        if (p.state !== 'running') this.deps.flushChanges();
        this.deps.events.emit('scan-progress', p);
      },
    }).finally(() => {
      this.activeScan = null;
    });
    this.activeScan = { controller, promise };
    return promise;
  }

  /** Starts a scan without waiting for it (its failure is reported through the scan-progress event). */
  startScan(roots: string[]): { scanId: string | null } {
    if (roots.length === 0) return { scanId: null };
    this.scan(roots).catch(() => undefined);
    return { scanId: this.lastScanProgress?.scanId ?? null };
  }

  /** Scans and waits; then what the library holds below these folders, and their problem files. */
  async scanAndCount(roots: string[]): Promise<LibraryScanResult> {
    const scan = await this.scan(roots);
    const counts = await this.deps.store.summary(roots);
    const problems = await this.deps.store.problems({ roots, limit: PROBLEMS_LISTED, offset: 0 });
    return { roots, scan, counts, problems };
  }

  /** The running (or last) scan's progress, for a renderer that opens mid-scan. */
  currentScan(): ScanProgress | null {
    return this.lastScanProgress;
  }

  cancelScan(): boolean {
    if (!this.activeScan) return false;
    this.activeScan.controller.abort();
    return true;
  }

  /**
   * Forgets a library folder (files another folder covers stay indexed). A waiting second copy that takes
   * over a forgotten file may need its bytes compared with the others: done afterwards.
   */
  async removeRoot(path: string): Promise<{ removed: number; kept: number }> {
    const { forgotten, kept } = await this.deps.store.removeRoot(path);
    const settling = settleCopies(this.deps.store, this.stopping.signal)
      .catch((e) => log('library').error('comparing second copies failed:', e))
      .finally(() => this.settling.delete(settling));
    this.settling.add(settling);
    return { removed: forgotten, kept };
  }

  /** Stops the scan and the comparisons in progress, and waits for them. */
  async stop(): Promise<void> {
    this.activeScan?.controller.abort();
    this.stopping.abort();
    await this.activeScan?.promise.catch(() => undefined);
    await Promise.all(this.settling);
  }
}
