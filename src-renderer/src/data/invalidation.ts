import type { QueryClient } from '@tanstack/react-query';
import type { HandlerName } from '../../../src-shared/contract/schemas';
import { API } from './keys';

/** One query group to refresh: every query of a handler, or only those about some ids. */
export interface Target {
  handler: HandlerName;
  /** Only queries whose args[field] is one of ids. */
  only?: { field: string; ids: readonly (string | number)[] };
}

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
 * refetch per query group. A flood of events (100,000 instances changing) then
 * costs a few refetches of what is on screen per second, never one per event.
 * The first change after a quiet period is applied at once.
 */
export class InvalidationScheduler {
  /** handler -> 'all' or the ids (per field) to refresh. */
  private pending = new Map<HandlerName, 'all' | Map<string, Set<string | number>>>();
  private timer: unknown = null;
  private lastFlush = -Infinity;

  constructor(
    private readonly qc: QueryClient,
    private readonly intervalMs = 500,
    private readonly timers: Timers = realTimers,
  ) {}

  add(targets: readonly Target[]): void {
    for (const t of targets) {
      const cur = this.pending.get(t.handler);
      if (cur === 'all') continue;
      if (!t.only) {
        this.pending.set(t.handler, 'all');
        continue;
      }
      const byField = cur ?? new Map<string, Set<string | number>>();
      const set = byField.get(t.only.field) ?? new Set();
      t.only.ids.forEach((id) => set.add(id));
      byField.set(t.only.field, set);
      this.pending.set(t.handler, byField);
    }
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
    this.pending = new Map();
    for (const [handler, what] of pending) {
      if (what === 'all') {
        void this.qc.invalidateQueries({ queryKey: [API, handler] });
        continue;
      }
      void this.qc.invalidateQueries({
        queryKey: [API, handler],
        predicate: (q) => {
          const args = q.queryKey[2] as Record<string, unknown> | undefined;
          if (!args) return true;
          for (const [field, ids] of what) if (ids.has(args[field] as string | number)) return true;
          return false;
        },
      });
    }
  }

  dispose(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }
}
