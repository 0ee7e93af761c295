import type { SafekeepEventName, SafekeepEvents } from '../../../src-shared/contract/events';

type AnyListener = (payload: never) => void;

/**
 * Listeners per event name for a client that receives every event through one
 * channel (one EventSource, one IPC subscription). Knows when the first listener
 * arrives and the last one leaves, so the channel is opened only while needed.
 */
export class ListenerRegistry {
  private readonly byName = new Map<SafekeepEventName, Set<AnyListener>>();

  constructor(private readonly onCountChange: (count: number, name: SafekeepEventName) => void = () => undefined) {}

  add<E extends SafekeepEventName>(name: E, fn: (payload: SafekeepEvents[E]) => void): () => void {
    let set = this.byName.get(name);
    if (!set) this.byName.set(name, (set = new Set()));
    // The same function may be added twice; each add gets its own removal.
    const entry: AnyListener = (p) => fn(p as SafekeepEvents[E]);
    set.add(entry);
    this.onCountChange(this.count(), name);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      set.delete(entry);
      if (set.size === 0) this.byName.delete(name);
      this.onCountChange(this.count(), name);
    };
  }

  names(): SafekeepEventName[] {
    return [...this.byName.keys()];
  }

  count(): number {
    let n = 0;
    for (const s of this.byName.values()) n += s.size;
    return n;
  }

  /** Calls every listener of `name`; one that throws does not stop the others. */
  dispatch(name: SafekeepEventName, payload: unknown): void {
    for (const fn of [...(this.byName.get(name) ?? [])]) {
      try {
        fn(payload as never);
      } catch (e) {
        console.error(`[safekeep] listener for ${name} failed:`, e);
      }
    }
  }
}
