import type { OutgoingRequest } from '../../../src-shared/outgoing';
import { AppError } from '../../../src-shared/contract/errors';
import { coalesced } from '../coalesce';

/**
 * Resolves with the request once `until` holds for it, checked at every change announced for it (the engine's
 * own changes, and on every heartbeat while several nodes share the work: another node may be the one that
 * moves it).
 */
export function waitForRequest(
  o: { get(id: number): Promise<OutgoingRequest>; onChanged(fn: (ids: readonly number[]) => void): () => void },
  id: number,
  until: (r: OutgoingRequest) => boolean,
  signal?: AbortSignal,
): Promise<OutgoingRequest> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const check = coalesced(
      async () => {
        if (settled) return;
        const r = await o.get(id);
        if (!settled && until(r)) {
          off();
          resolve(r);
        }
      },
      (e) => {
        off();
        reject(e);
      },
    );
    const offChanges = o.onChanged((ids) => {
      if (ids.includes(id)) check();
    });
    const onAbort = () => {
      off();
      reject(new AppError('cancelled', 'Stopped while waiting'));
    };
    const off = () => {
      settled = true;
      offChanges();
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
}
