import type { AppErrorValue } from './errors';
import type { SafekeepEventName, SafekeepEvents } from './events';
import type { SafekeepResults } from './handlers';
import type { ArgsOf, HandlerName } from './schemas';

/** A call's outcome as a value: errors cross the boundary as {code, message}, never as thrown strings. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppErrorValue };

/**
 * How the renderer talks to the core. Two implementations: the Electron preload
 * bridge (IPC) and HTTP + server-sent events (browser mode).
 */
export interface ApiClient {
  send<K extends HandlerName>(name: K, args: ArgsOf<K>): Promise<Result<SafekeepResults[K]>>;
  listen<E extends SafekeepEventName>(name: E, fn: (payload: SafekeepEvents[E]) => void): () => void;
  /** How files dropped on the window reach the library: real paths (Electron) or an upload (browser). */
  readonly host: 'electron' | 'browser';
}

/** What the Electron preload puts on `window.safekeep` (checked with `satisfies` in the preload). */
export interface PreloadApi {
  send(name: string, args: unknown): Promise<Result<unknown>>;
  on(listener: (name: string, payload: unknown) => void): () => void;
  /** Real file-system paths of the File objects dropped on the window (src-shared has no DOM types, hence object). */
  pathsOf(files: readonly object[]): string[];
  /** Saves the current page as PDF (Electron's printToPDF), returning the file path chosen by the user, or null. */
  printToPdf(suggestedName: string): Promise<string | null>;
}
