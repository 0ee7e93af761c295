import type { ApiClient, PreloadApi, Result } from '../../../src-shared/contract/client';
import { isAppErrorValue } from '../../../src-shared/contract/errors';
import type { SafekeepEventName, SafekeepEvents } from '../../../src-shared/contract/events';
import type { SafekeepResults } from '../../../src-shared/contract/handlers';
import type { ArgsOf, HandlerName } from '../../../src-shared/contract/schemas';
import { failure } from './api-error';
import { isEventName } from './event-names';
import { ListenerRegistry } from './listeners';

function isResult(v: unknown): v is Result<unknown> {
  if (typeof v !== 'object' || v === null || !('ok' in v)) return false;
  const r = v as { ok: unknown; error?: unknown };
  return r.ok === true || (r.ok === false && isAppErrorValue(r.error));
}

/**
 * The contract over the Electron preload bridge (IPC). One subscription to the
 * preload's event channel is shared by every listener, and held only while needed.
 */
export function createElectronClient(preload: PreloadApi): ApiClient {
  let off: (() => void) | null = null;
  const registry = new ListenerRegistry((count) => {
    if (count > 0 && !off) {
      off = preload.on((name, payload) => {
        if (isEventName(name)) registry.dispatch(name, payload);
      });
    } else if (count === 0 && off) {
      off();
      off = null;
    }
  });

  return {
    host: 'electron',

    async send<K extends HandlerName>(name: K, args: ArgsOf<K>): Promise<Result<SafekeepResults[K]>> {
      try {
        const r = await preload.send(name, args ?? {});
        if (isResult(r)) return r as Result<SafekeepResults[K]>;
        return failure('internal', `${name}: unexpected answer from the main process`);
      } catch (e) {
        // An IPC failure (e.g. the main process is gone) is still a value, not a throw.
        return failure('unavailable', `${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    },

    listen<E extends SafekeepEventName>(name: E, fn: (payload: SafekeepEvents[E]) => void): () => void {
      return registry.add(name, fn);
    },
  };
}
