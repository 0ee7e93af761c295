import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { Result } from '../../src-shared/contract/client';
import { AppError, toAppError } from '../../src-shared/contract/errors';
import { callHandler } from '../core/api/call';
import type { CoreHandlers } from '../core/api/handlers';
import type { EventBus } from '../core/events';
import { CHANNEL } from './channels';

/**
 * One IPC relay for the whole contract: the handler name and one argument object,
 * validated here (the same schemas as the HTTP bridge), answered with a Result value.
 * Only the app's own page may call.
 */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  handlers: CoreHandlers,
  isTrusted: (e: IpcMainInvokeEvent) => boolean,
): () => void {
  ipcMain.handle(CHANNEL.send, async (e, name: unknown, args: unknown): Promise<Result<unknown>> => {
    try {
      if (!isTrusted(e)) throw new AppError('forbidden', 'Calls are accepted only from the Safekeep window');
      return { ok: true, value: await callHandler(handlers, name, args) };
    } catch (err) {
      const appError = toAppError(err);
      if (appError.code === 'internal') console.error('[ipc] internal error:', err);
      return { ok: false, error: appError.toValue() };
    }
  });
  return () => ipcMain.removeHandler(CHANNEL.send);
}

/** Forwards the core's (already batched) events to the renderer. */
export function forwardEvents(events: EventBus, send: (channel: string, name: string, payload: unknown) => void): () => void {
  return events.onAny((name, payload) => send(CHANNEL.event, name, payload));
}

/** The renderer page of the app: file:// inside the build's renderer folder. */
export function trustedSender(appUrlPrefix: string): (e: IpcMainInvokeEvent) => boolean {
  return (e) => {
    const url = e.senderFrame?.url ?? '';
    return url.startsWith(appUrlPrefix);
  };
}
