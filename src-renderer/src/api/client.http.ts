import type { ApiClient, Result } from '../../../src-shared/contract/client';
import { ERROR_STATUS, isAppErrorValue, type ErrorCode } from '../../../src-shared/contract/errors';
import type { SafekeepEventName, SafekeepEvents } from '../../../src-shared/contract/events';
import type { SafekeepResults } from '../../../src-shared/contract/handlers';
import type { ArgsOf, HandlerName } from '../../../src-shared/contract/schemas';
import { failure } from './api-error';
import { isEventName } from './event-names';
import { ListenerRegistry } from './listeners';
import { uploadInBatches, type UploadItem, type UploadOptions, type UploadResult } from './upload';

// This module avoids DOM-only types: it is also type-checked (and tested) under Node.

/** The part of EventSource this client uses, so tests can inject an implementation. */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  addEventListener(type: string, listener: (ev: { data: string }) => void): void;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

const CLOSED = 2;

/** The live channel: open (events flow), connecting (first time or after a drop), offline (gave up until asked again). */
export type ConnectionState = 'connecting' | 'open' | 'offline';

export interface SessionInfo {
  authenticated: boolean;
  client: string | null;
  authEnabled: boolean;
}

export interface HttpClientOptions {
  /** Where the app is served; '' = this page's origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** How to open the event stream; default: the global EventSource (null = no live events). */
  eventSource?: EventSourceFactory | null;
  /** Delay before the n-th reconnection attempt (n from 1). */
  reconnectDelayMs?: (attempt: number) => number;
}

/** The browser-mode client: the contract over HTTP, plus what only a browser needs (session, upload). */
export interface HttpApiClient extends ApiClient {
  readonly host: 'browser';
  session(): Promise<Result<SessionInfo>>;
  login(token: string): Promise<Result<{ client: string }>>;
  logout(): Promise<Result<Record<string, never>>>;
  /** Uploads files (keeping their relative paths) into one new folder under the server's data folder. */
  upload(items: readonly UploadItem[], options?: UploadOptions): Promise<Result<UploadResult>>;
  /** Called when the server says the session is gone (401): the app shows the login screen. */
  onUnauthorized(fn: () => void): () => void;
  onConnection(fn: (state: ConnectionState) => void): () => void;
  connection(): ConnectionState;
  /** Closes the event stream for good. */
  close(): void;
}

const defaultDelay = (attempt: number) => Math.min(30_000, 1000 * 2 ** Math.min(attempt - 1, 5));

function defaultEventSource(): EventSourceFactory | null {
  const ctor = (globalThis as { EventSource?: new (url: string, init?: { withCredentials?: boolean }) => EventSourceLike }).EventSource;
  return ctor ? (url) => new ctor(url, { withCredentials: true }) : null;
}

/** Reads `{ok, value}` / `{ok: false, error}` from an answer of the HTTP bridge; anything else becomes an error value. */
async function readResult<T>(res: Response, what: string): Promise<Result<T>> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return failure(codeForStatus(res.status), `${what}: unexpected answer from the server (HTTP ${res.status}, not JSON)`);
  }
  if (typeof body === 'object' && body !== null && 'ok' in body) {
    const b = body as { ok: unknown; value?: unknown; error?: unknown };
    if (b.ok === true) return { ok: true, value: b.value as T };
    if (b.ok === false && isAppErrorValue(b.error)) return { ok: false, error: b.error };
  }
  return failure(codeForStatus(res.status), `${what}: unexpected answer from the server (HTTP ${res.status})`);
}

function codeForStatus(status: number): ErrorCode {
  const match = (Object.entries(ERROR_STATUS) as [ErrorCode, number][]).find(([, s]) => s === status);
  return match ? match[0] : status >= 500 ? 'internal' : 'bad-request';
}

/** The contract over HTTP: POST /api/<handler> and one shared EventSource on /api/events. */
export function createHttpClient(options: HttpClientOptions = {}): HttpApiClient {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const openStream = options.eventSource === undefined ? defaultEventSource() : options.eventSource;
  const delay = options.reconnectDelayMs ?? defaultDelay;

  const unauthorizedFns = new Set<() => void>();
  const connectionFns = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState = 'offline';
  let source: EventSourceLike | null = null;
  let registered = new Set<string>();
  let attempts = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let idleTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  const setState = (s: ConnectionState) => {
    if (s === state) return;
    state = s;
    for (const fn of [...connectionFns]) fn(s);
  };
  const unauthorized = () => {
    for (const fn of [...unauthorizedFns]) fn();
  };

  const request = async <T>(path: string, init: RequestInit, what: string): Promise<Result<T>> => {
    let res: Response;
    try {
      // The custom header marks the request as the app's own (the server refuses state changes without it or
      // a same-site Origin): a form or a page on another site cannot send it without a CORS preflight.
      const headers = { ...(init.headers as Record<string, string> | undefined), 'X-Safekeep-Request': '1' };
      res = await fetchFn(`${base}${path}`, { credentials: 'same-origin', ...init, headers });
    } catch (e) {
      return failure('unavailable', `Cannot reach Safekeep: ${e instanceof Error ? e.message : String(e)}`);
    }
    const result = await readResult<T>(res, what);
    if (!result.ok && res.status === 401 && path !== '/api/login') unauthorized();
    return result;
  };

  const postJson = <T>(path: string, body: unknown, what: string) =>
    request<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) }, what);

  const registry = new ListenerRegistry((count, name) => {
    if (count === 0) {
      // Closed a moment later: a component re-subscribing right away keeps the same stream.
      if (!idleTimer) idleTimer = setTimeout(() => ((idleTimer = null), registry.count() === 0 && disconnect()), 1000);
      return;
    }
    if (source) subscribe(source, name);
    else connect();
  });

  const subscribe = (es: EventSourceLike, name: string) => {
    if (registered.has(name)) return;
    registered.add(name);
    es.addEventListener(name, (ev) => {
      if (es !== source || !isEventName(name)) return;
      let payload: unknown;
      try {
        payload = JSON.parse(ev.data);
      } catch {
        return; // a broken message is dropped; the next one re-syncs what it names
      }
      registry.dispatch(name, payload);
    });
  };

  const connect = () => {
    if (closed || source || !openStream) return;
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    setState('connecting');
    const es = openStream(`${base}/api/events`);
    source = es;
    registered = new Set();
    for (const name of registry.names()) subscribe(es, name);
    es.onopen = () => {
      if (es !== source) return;
      attempts = 0;
      setState('open');
    };
    es.onerror = () => {
      if (es !== source) return;
      // The browser retries network drops by itself (readyState CONNECTING); an HTTP error closes the stream for good.
      if (es.readyState !== CLOSED) return setState('connecting');
      es.close();
      source = null;
      void recover();
    };
  };

  const recover = async () => {
    if (closed) return;
    setState('connecting');
    const s = await postSession();
    if (closed || source) return;
    if (s.ok && !s.value.authenticated) {
      // Nothing to retry until someone logs in again (login() reconnects).
      setState('offline');
      unauthorized();
      return;
    }
    attempts++;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (registry.count() > 0) connect();
      else setState('offline');
    }, delay(attempts));
  };

  const disconnect = () => {
    source?.close();
    source = null;
    registered = new Set();
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    setState('offline');
  };

  const postSession = () => request<SessionInfo>('/api/session', { method: 'GET' }, 'Session');

  return {
    host: 'browser',

    send<K extends HandlerName>(name: K, args: ArgsOf<K>): Promise<Result<SafekeepResults[K]>> {
      return postJson<SafekeepResults[K]>(`/api/${name}`, args, name);
    },

    listen<E extends SafekeepEventName>(name: E, fn: (payload: SafekeepEvents[E]) => void): () => void {
      return registry.add(name, fn);
    },

    session: postSession,

    async login(token) {
      const r = await postJson<{ client: string }>('/api/login', { token }, 'Login');
      if (r.ok && registry.count() > 0 && !source) connect();
      return r;
    },

    async logout() {
      const r = await postJson<Record<string, never>>('/api/logout', {}, 'Logout');
      disconnect();
      return r;
    },

    upload(items, uploadOptions) {
      return uploadInBatches(
        (form) => request<UploadResult>('/api/upload', { method: 'POST', body: form }, 'Upload'),
        items,
        uploadOptions,
      );
    },

    onUnauthorized(fn) {
      unauthorizedFns.add(fn);
      return () => unauthorizedFns.delete(fn);
    },

    onConnection(fn) {
      connectionFns.add(fn);
      return () => connectionFns.delete(fn);
    },

    connection: () => state,

    close() {
      closed = true;
      if (idleTimer) clearTimeout(idleTimer);
      disconnect();
    },
  };
}
