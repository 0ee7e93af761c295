import type { ApiClient, PreloadApi } from '../../../src-shared/contract/client';
import { createElectronClient } from './client.electron';
import { createHttpClient, type HttpApiClient } from './client.http';

/** What the rest of the app needs besides the contract: the browser session and the host's extras. */
export interface AppApi {
  client: ApiClient;
  /** Browser mode only: session, login, upload, connection state. */
  http: HttpApiClient | null;
  /** Electron only: the preload bridge (dropped files' paths, PDF printing). */
  preload: PreloadApi | null;
}

/** Electron when the preload put its bridge on the window, else the HTTP client of this page's server. */
export function createAppApi(win: { safekeep?: PreloadApi } = window as unknown as { safekeep?: PreloadApi }): AppApi {
  if (win.safekeep) return { client: createElectronClient(win.safekeep), http: null, preload: win.safekeep };
  const http = createHttpClient();
  return { client: http, http, preload: null };
}
