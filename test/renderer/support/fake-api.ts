import type { ApiClient, Result } from '../../../src-shared/contract/client';
import { isAppErrorValue, type AppErrorValue } from '../../../src-shared/contract/errors';
import type { DataTable, SafekeepEventName, SafekeepEvents } from '../../../src-shared/contract/events';
import type { SafekeepResults } from '../../../src-shared/contract/handlers';
import type { ArgsOf, HandlerName } from '../../../src-shared/contract/schemas';

type Handler<K extends HandlerName> = (args: ArgsOf<K>) => SafekeepResults[K] | Promise<SafekeepResults[K]>;

/**
 * A fake ApiClient for component tests: typed handlers, every call recorded,
 * events pushed by the test. Errors are values, as with the real clients.
 */
export class FakeApi implements ApiClient {
  readonly calls: { name: HandlerName; args: unknown }[] = [];
  private readonly handlers = new Map<HandlerName, Handler<never>>();
  private readonly listeners = new Map<SafekeepEventName, Set<(p: never) => void>>();

  constructor(readonly host: 'browser' | 'electron' = 'browser') {}

  on<K extends HandlerName>(name: K, fn: Handler<K>): this {
    this.handlers.set(name, fn as unknown as Handler<never>);
    return this;
  }

  /** The handler answers this error (as the core would, e.g. conflict or not-found). */
  fail<K extends HandlerName>(name: K, error: AppErrorValue): this {
    return this.on(name, () => {
      throw error;
    });
  }

  async send<K extends HandlerName>(name: K, args: ArgsOf<K>): Promise<Result<SafekeepResults[K]>> {
    this.calls.push({ name, args });
    const h = this.handlers.get(name) as Handler<K> | undefined;
    if (!h) return { ok: false, error: { code: 'not-found', message: `fake: no handler for ${name}` } };
    try {
      return { ok: true, value: await h(args) };
    } catch (e) {
      if (isAppErrorValue(e)) return { ok: false, error: e };
      throw e;
    }
  }

  listen<E extends SafekeepEventName>(name: E, fn: (payload: SafekeepEvents[E]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as (p: never) => void);
    return () => set.delete(fn as (p: never) => void);
  }

  emit<E extends SafekeepEventName>(name: E, payload: SafekeepEvents[E]): void {
    for (const fn of this.listeners.get(name) ?? []) (fn as (p: SafekeepEvents[E]) => void)(payload);
  }

  /** What the core announces after a write: the tables it touched. */
  changed(...tables: DataTable[]): void {
    this.emit('data-changed', { tables });
  }

  listenerCount(name: SafekeepEventName): number {
    return this.listeners.get(name)?.size ?? 0;
  }

  /** The arguments of every call of one handler, in order. */
  callsOf<K extends HandlerName>(name: K): ArgsOf<K>[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.args as ArgsOf<K>);
  }
}
