import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { Result } from '../../src-shared/contract/client';
import { toAppError } from '../../src-shared/contract/errors';
import { ArgSchemas, type HandlerName } from '../../src-shared/contract/schemas';
import { AppError } from '../../src-shared/contract/errors';
import type { SafekeepCore } from '../core/app';
import { validateArgs } from '../core/api/validate';
import { CHANNEL } from './channels';

/**
 * One IPC relay for the whole contract: the handler name and one argument object,
 * validated here (the same schemas as the HTTP bridge), answered with a Result value.
 * Only the app's own page may call.
 */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  core: SafekeepCore,
  isTrusted: (e: IpcMainInvokeEvent) => boolean,
): () => void {
  const handlers = core.handlers();
  ipcMain.handle(CHANNEL.send, async (e, name: unknown, args: unknown): Promise<Result<unknown>> => {
    try {
      if (!isTrusted(e)) throw new AppError('forbidden', 'Calls are accepted only from the Safekeep window');
      if (typeof name !== 'string' || !(name in ArgSchemas)) throw new AppError('not-found', `No API call "${String(name)}"`);
      const parsed = validateArgs(name as HandlerName, args);
      return { ok: true, value: await (handlers[name as HandlerName] as (a: unknown) => unknown)(parsed) };
    } catch (err) {
      const appError = toAppError(err);
      if (appError.code === 'internal') console.error('[ipc] internal error:', err);
      return { ok: false, error: appError.toValue() };
    }
  });
  return () => ipcMain.removeHandler(CHANNEL.send);
}

/** Forwards the core's (already batched) events to the renderer. */
export function forwardEvents(core: SafekeepCore, send: (channel: string, name: string, payload: unknown) => void): () => void {
  return core.events.onAny((name, payload) => send(CHANNEL.event, name, payload));
}

/** The renderer page of the app: file:// inside the build's renderer folder. */
export function trustedSender(appUrlPrefix: string): (e: IpcMainInvokeEvent) => boolean {
  return (e) => {
    const url = e.senderFrame?.url ?? '';
    return url.startsWith(appUrlPrefix);
  };
}
