/**
 * Time comes in through this interface, so that tests can drive it (test/support/virtual-scheduler.ts):
 * the engine, its drivers and back-off, the incoming processor, the DIMSE report delivery and change
 * batching read the time and set their timers here, never with Date.now or setTimeout.
 */
export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Calls `fn` once, `delayMs` from now (0: as soon as possible, never synchronously). With `unref`, the
   * timer does not keep a process alive by itself (background work: retries, batching, housekeeping).
   */
  setTimer(delayMs: number, fn: () => void, options?: { unref?: boolean }): Timer;
}

export interface Timer {
  cancel(): void;
}

/** What only reads the time (library scans, reports, sessions). */
export type Clock = Pick<Scheduler, 'now'>;

/** Node's timers take at most 2^31-1 ms; a longer wait is cut to that (the waiter looks again then). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimer(delayMs, fn, options) {
    const t = setTimeout(fn, Math.max(0, Math.min(delayMs, MAX_TIMER_MS)));
    if (options?.unref) t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** The wall clock, for what only reads the time. */
export const systemClock: Clock = systemScheduler;

/** Resolves after `ms` on the scheduler's time (a background timer: it keeps no process alive). */
export function sleep(scheduler: Scheduler, ms: number): Promise<void> {
  return new Promise((resolve) => scheduler.setTimer(ms, resolve, { unref: true }));
}

/** Calls `fn` every `intervalMs` until cancelled (a background timer: it keeps no process alive). */
export function repeat(scheduler: Scheduler, intervalMs: number, fn: () => void): Timer {
  let current: Timer;
  let cancelled = false;
  const arm = () => {
    current = scheduler.setTimer(intervalMs, () => {
      if (cancelled) return;
      arm();
      fn();
    }, { unref: true });
  };
  arm();
  return { cancel: () => ((cancelled = true), current.cancel()) };
}
