import type { QueryClient } from '@tanstack/react-query';
import type { HandlerName } from '../../../src-shared/contract/schemas';
import { handlerKey } from './keys';

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(t: unknown): void;
}

const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
};

/**
 * Coalesces invalidations: whatever arrives within `intervalMs` becomes one
 * refetch per handler. A flood of events (100,000 instances changing) then
 * costs a few refetches of what is on screen per second, never one per event.
 * The first change after a quiet period is applied at once.
 */
export class InvalidationScheduler {
  private pending = new Set<HandlerName>();
  private timer: unknown = null;
  private lastFlush = -Infinity;

  constructor(
    private readonly qc: QueryClient,
    private readonly intervalMs = 500,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Every query of these handlers is stale (refetched if on screen). */
  add(handlers: readonly HandlerName[]): void {
    handlers.forEach((h) => this.pending.add(h));
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null || this.pending.size === 0) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - this.timers.now());
    this.timer = this.timers.setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.lastFlush = this.timers.now();
    const pending = this.pending;
    this.pending = new Set();
    for (const handler of pending) void this.qc.invalidateQueries({ queryKey: handlerKey(handler) });
  }

  dispose(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }
}
