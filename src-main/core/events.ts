import type { SafekeepEventName, SafekeepEvents } from '../../src-shared/contract/events';
import { log } from './log';
import { systemScheduler, type Scheduler, type Timer } from './scheduler';

type Listener<T> = (payload: T) => void;

/** A typed event bus; listeners that throw are isolated from each other and from the emitter. */
export class EventBus {
  private readonly listeners = new Map<SafekeepEventName, Set<Listener<never>>>();

  on<K extends SafekeepEventName>(name: K, fn: Listener<SafekeepEvents[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  /** Subscribes to every event; used by the bridges that forward events to a renderer. */
  onAny(fn: <K extends SafekeepEventName>(name: K, payload: SafekeepEvents[K]) => void): () => void {
    this.anyListeners.add(fn);
    return () => this.anyListeners.delete(fn);
  }

  private readonly anyListeners = new Set<<K extends SafekeepEventName>(name: K, payload: SafekeepEvents[K]) => void>();

  emit<K extends SafekeepEventName>(name: K, payload: SafekeepEvents[K]): void {
    for (const fn of this.listeners.get(name) ?? []) {
      try {
        (fn as Listener<SafekeepEvents[K]>)(payload);
      } catch (e) {
        log('events').error(`listener for ${name} failed:`, e);
      }
    }
    for (const fn of this.anyListeners) {
      try {
        fn(name, payload);
      } catch (e) {
        log('events').error(`listener for ${name} failed:`, e);
      }
    }
  }
}

/**
 * Coalesces many small changes into one event per interval, so 100,000
 * instance updates become a handful of events rather than 100,000.
 */
export class ChangeBatcher<T> {
  private pending = new Set<T>();
  private timer: Timer | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly flushFn: (items: T[]) => void,
    private readonly scheduler: Scheduler = systemScheduler,
  ) {}

  add(item: T): void {
    this.pending.add(item);
    this.timer ??= this.scheduler.setTimer(this.intervalMs, () => this.flush(), { unref: true });
  }

  flush(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.pending.size === 0) return;
    const items = [...this.pending];
    this.pending = new Set();
    this.flushFn(items);
  }
}
