import type { Scheduler, Timer } from '../../src-main/core/scheduler';

/** Real milliseconds between two looks at the timers (I/O runs in between). */
const PUMP_MS = 1;
/** Time jumps by itself to timers at most this far ahead; longer waits (housekeeping) only by `advance`. */
const AUTO_HORIZON_MS = 60_000;

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * Virtual time for tests: `now()` stands still while work is in flight, and jumps to the next timer as soon
 * as the code under test is idle (`whenIdle`), so that a retry due in 3 s runs at once, exactly 3 s later on
 * this clock. Real I/O (sockets, the store) keeps running in real time meanwhile.
 */
export class VirtualScheduler implements Scheduler {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, Pending>();
  private pump: NodeJS.Timeout | null = null;
  private idle: () => boolean = () => true;
  private stopped = false;

  constructor(start = Date.UTC(2026, 0, 1, 12)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const seq = ++this.seq;
    this.timers.set(seq, { at: this.t + Math.max(0, delayMs), seq, fn });
    this.arm();
    return { cancel: () => void this.timers.delete(seq) };
  }

  /** Time moves on only while `idle` says so (nothing in flight whose answer would be read at a later time). */
  whenIdle(idle: () => boolean): void {
    this.idle = idle;
  }

  /** Moves time on by `ms`, running every timer due on the way (each at its own time). */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      while (!this.idle()) await realPause();
      const next = this.earliest();
      if (!next || next.at > end) break;
      this.run(next);
      await realPause();
    }
    this.t = Math.max(this.t, end);
  }

  stop(): void {
    this.stopped = true;
    if (this.pump) clearTimeout(this.pump);
    this.timers.clear();
  }

  private earliest(): Pending | undefined {
    let first: Pending | undefined;
    for (const p of this.timers.values()) if (!first || p.at < first.at || (p.at === first.at && p.seq < first.seq)) first = p;
    return first;
  }

  private run(p: Pending): void {
    this.timers.delete(p.seq);
    this.t = Math.max(this.t, p.at);
    p.fn();
  }

  private arm(): void {
    if (this.pump || this.stopped) return;
    this.pump = setTimeout(() => {
      this.pump = null;
      const next = this.earliest();
      if (!next) return;
      const due = next.at <= this.t;
      if (due || (this.idle() && next.at - this.t <= AUTO_HORIZON_MS)) this.run(next);
      // Still something to run (now, or once idle): look again; a timer past the horizon waits for `advance`.
      if ([...this.timers.values()].some((p) => p.at - this.t <= AUTO_HORIZON_MS)) this.arm();
    }, PUMP_MS);
  }
}

function realPause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, PUMP_MS));
}
