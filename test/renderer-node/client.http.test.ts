/**
 * The renderer's HTTP client against the real core over HTTP, in Node (global fetch,
 * undici's EventSource injected). Lives outside test/renderer: it needs Node types
 * (the core), so tsconfig.node.json checks it, with the client it imports.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EventSource } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DataTable, SafekeepEvents } from '../../src-shared/contract/events';
import { ALL_WORK, openHost, type Host } from '../../src-main/core/host/host';
import { listenHttp, type RunningHttpServer } from '../../src-main/core/http/server';
import { createHttpClient, type ConnectionState, type EventSourceFactory, type EventSourceLike, type HttpApiClient } from '../../src-renderer/src/api/client.http';
import { makeLibrary, tempDir } from '../support/fixtures';

const undiciEventSource =
  (opened: string[] = []): EventSourceFactory =>
  (url) => {
    opened.push(url);
    return new EventSource(url, { node: { reconnectionTime: 100 } }) as unknown as EventSourceLike;
  };

/** fetch with a cookie jar (a browser keeps the session cookie; Node's fetch does not). */
function cookieFetch(): typeof fetch {
  let cookie = '';
  return async (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(input, { ...init, headers });
    const set = res.headers.getSetCookie();
    if (set.length) cookie = set.map((c) => c.split(';')[0]).join('; ');
    return res;
  };
}

/** The first data-changed event that names `table`. */
function nextChangeOf(client: HttpApiClient, table: DataTable, timeoutMs = 10_000): Promise<SafekeepEvents['data-changed']> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`no data-changed event naming ${table} within ${timeoutMs} ms`))), timeoutMs);
    const off = client.listen('data-changed', (p) => {
      if (!p.tables.includes(table)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}

function untilConnection(client: HttpApiClient, state: ConnectionState, timeoutMs = 15_000): Promise<void> {
  if (client.connection() === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`connection never became ${state} (is ${client.connection()})`))), timeoutMs);
    const off = client.onConnection((s) => {
      if (s !== state) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

const DICOMWEB_REMOTE = {
  kind: 'dicomweb' as const,
  name: 'Archive',
  config: { baseUrl: 'http://127.0.0.1:1/dicomweb', auth: 'bearer' as const },
  secret: 'remote-secret',
};

describe('HTTP client against the real core (no authentication)', () => {
  let dir: string;
  let host: Host;
  let server: RunningHttpServer;
  let client: HttpApiClient;
  const clients: HttpApiClient[] = [];
  const make = (o: Parameters<typeof createHttpClient>[0] = {}) => {
    const c = createHttpClient({ baseUrl: server.url, eventSource: undiciEventSource(), reconnectDelayMs: () => 100, ...o });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    dir = tempDir();
    host = await openHost({ dataDir: path.join(dir, 'data'), authEnabled: false });
    server = (await host.start({ ...ALL_WORK, http: { host: '127.0.0.1', port: 0, browser: true } })).server!;
    client = make();
  });
  afterEach(() => {
    for (const c of clients.splice(1)) c.close();
  });
  afterAll(async () => {
    client.close();
    await server.close();
    await host.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('calls a handler and returns its typed value', async () => {
    const r = await client.send('library-summary', {});
    expect(r).toEqual({ ok: true, value: { studies: 0, series: 0, instances: 0, skipped: 0, conflicts: 0, duplicates: 0, flagged: 0, bytes: 0, roots: [] } });
    const s = await client.send('settings-get', {});
    expect(s.ok && s.value.policy).toBe('library');
  });

  it('refuses invalid arguments with a clear bad-request, as a value (never a throw)', async () => {
    const r = await client.send('library-studies', { limit: 0 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('bad-request');
    expect(r.error.message).toMatch(/^Invalid arguments for library-studies: limit: /);

    const strict = await client.send('library-summary', { unexpected: true } as never);
    expect(strict).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/^Invalid arguments for library-summary: /) } });
    const remote = await client.send('remotes-save', { input: { ...DICOMWEB_REMOTE, config: { baseUrl: 'not a url' } } });
    expect(remote).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringContaining('Invalid arguments for remotes-save: input.config.baseUrl: The base URL must be an absolute http(s) URL') } });
  });

  it('returns the core errors as values: not found, conflict, unknown call', async () => {
    expect(await client.send('outgoing-get', { id: 999 })).toEqual({ ok: false, error: { code: 'not-found', message: 'No outgoing request 999' } });
    expect(await client.send('library-cancel-scan', {})).toEqual({ ok: true, value: { cancelled: false } });
    expect(await client.send('no-such-call' as 'library-summary', {})).toEqual({ ok: false, error: { code: 'not-found', message: 'No API call "no-such-call"' } });
  });

  it('refuses over HTTP the handlers that write files on the server, and writes nothing', async () => {
    const target = path.join(dir, 'written-by-a-browser.csv');
    expect(await client.send('report-csv-file', { remoteId: 1, path: target })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await client.send('report-safe-to-delete-file', { remoteId: 1, path: target })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(fs.existsSync(target)).toBe(false);
  });

  it('turns an unreachable server or a non-JSON answer into an error value', async () => {
    const gone = make({ baseUrl: 'http://127.0.0.1:1', eventSource: null });
    const r = await gone.send('library-summary', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/^Cannot reach Safekeep: /) } });
    const proxy = make({ fetch: async () => new Response('<html>Bad gateway</html>', { status: 502 }), eventSource: null });
    expect(await proxy.send('library-summary', {})).toEqual({
      ok: false,
      error: { code: 'remote-error', message: 'library-summary: unexpected answer from the server (HTTP 502, not JSON)' },
    });
  });

  it('delivers events to every listener through one shared EventSource', async () => {
    const opened: string[] = [];
    const live = make({ eventSource: undiciEventSource(opened) });
    const changes: SafekeepEvents['data-changed'][] = [];
    const again: SafekeepEvents['data-changed'][] = [];
    const offs = [live.listen('data-changed', (p) => changes.push(p)), live.listen('data-changed', (p) => again.push(p)), live.listen('scan-progress', () => undefined)];
    await untilConnection(live, 'open');
    const remotesChanged = nextChangeOf(live, 'remotes');
    const saved = await live.send('remotes-save', { input: DICOMWEB_REMOTE });
    expect(saved.ok).toBe(true);
    // The secret never comes back.
    expect(JSON.stringify(saved)).not.toContain('remote-secret');
    expect(saved.ok && saved.value.hasSecret).toBe(true);
    await remotesChanged;
    const settings = nextChangeOf(live, 'settings');
    await live.send('settings-update', { retentionDays: 7 });
    expect((await settings).tables).toContain('settings');
    expect(changes.flatMap((c) => c.tables).filter((t) => t === 'remotes')).toEqual(['remotes']);
    expect(again).toEqual(changes);
    expect(opened).toEqual([`${server.url}/api/events`]);
    offs.forEach((off) => off());
  });

  it('reconnects after the server goes away and comes back on the same port', async () => {
    const live = make();
    const states: ConnectionState[] = [];
    live.onConnection((s) => states.push(s));
    const off = live.listen('data-changed', () => undefined);
    await untilConnection(live, 'open');
    const port = server.port;
    await server.close();
    await untilConnection(live, 'connecting');
    // The same application on a new server (the host's first one is closed): a server restart.
    server = await listenHttp(host.core.httpApp({ browser: true }), '127.0.0.1', port);
    await untilConnection(live, 'open');
    const event = nextChangeOf(live, 'remotes');
    const r = await live.send('remotes-save', { input: { ...DICOMWEB_REMOTE, name: 'After restart' } });
    expect(r.ok).toBe(true);
    expect((await event).tables).toContain('remotes');
    expect(states.slice(-3)).toEqual(['open', 'connecting', 'open']);
    off();
  });

  it('uploads files in batches, keeping their folders, into one folder that then scans into the library', async () => {
    const src = path.join(dir, 'to-upload');
    const made = makeLibrary(src, { studies: 1, seriesPerStudy: 2, instancesPerSeries: 3 });
    const items = made.map((m) => ({ file: new Blob([fs.readFileSync(m.path)]), path: path.relative(dir, m.path) }));
    const progress: number[] = [];
    const r = await client.upload(items, { maxBatchFiles: 4, onProgress: (p) => progress.push(p.files) });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.files).toBe(6);
    expect(progress).toEqual([0, 4, 6]);
    for (const m of made) {
      const uploaded = path.join(r.value.folder, path.relative(dir, m.path));
      expect(fs.readFileSync(uploaded)).toEqual(fs.readFileSync(m.path));
    }
    const done = new Promise<void>((resolve) => {
      const off = client.listen('scan-progress', (p) => p.state === 'done' && (off(), resolve()));
    });
    const add = await client.send('library-add-folders', { paths: [r.value.folder] });
    expect(add.ok && add.value.scanId).toBeTruthy();
    await done;
    const summary = await client.send('library-summary', {});
    expect(summary.ok && summary.value).toMatchObject({ studies: 1, series: 2, instances: 6 });
    expect(summary.ok && summary.value.roots.map((x) => x.path)).toContain(r.value.folder);
  });

  it('refuses an empty upload and an upload outside the upload folder', async () => {
    expect(await client.upload([])).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const r = await client.upload([{ file: new Blob(['x']), path: '../../../etc/evil' }]);
    // The client cleans the path: it lands inside the upload folder.
    expect(r.ok && fs.existsSync(path.join(r.value.folder, 'etc/evil'))).toBe(true);
  });
});

describe('HTTP client with authentication', () => {
  let dir: string;
  let host: Host;
  let server: RunningHttpServer;

  beforeAll(async () => {
    dir = tempDir();
    host = await openHost({ dataDir: path.join(dir, 'data'), authEnabled: true, flagTokens: [{ client: 'ui', secret: 'ui-secret' }] });
    server = (await host.start({ ...ALL_WORK, http: { host: '127.0.0.1', port: 0, browser: true } })).server!;
  });
  afterAll(async () => {
    await server.close();
    await host.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports 401 (the app shows its login screen), logs in with a token, and logs out', async () => {
    const client = createHttpClient({ baseUrl: server.url, fetch: cookieFetch(), eventSource: null });
    let unauthorized = 0;
    client.onUnauthorized(() => unauthorized++);
    expect(await client.session()).toEqual({ ok: true, value: { authenticated: false, client: null, authEnabled: true } });
    expect(await client.send('library-summary', {})).toEqual({ ok: false, error: { code: 'unauthorized', message: 'Log in first' } });
    expect(unauthorized).toBe(1);

    expect(await client.login('wrong')).toMatchObject({ ok: false, error: { code: 'unauthorized', message: 'The bearer token is not valid' } });
    expect(unauthorized).toBe(1); // a failed login is not a lost session
    expect(await client.login('ui-secret')).toEqual({ ok: true, value: { client: 'ui' } });
    expect((await client.send('library-summary', {})).ok).toBe(true);
    expect(await client.session()).toMatchObject({ ok: true, value: { authenticated: true, client: 'ui' } });

    await client.logout();
    expect((await client.send('library-summary', {})).ok).toBe(false);
    expect(unauthorized).toBe(2);
    client.close();
  });

  it('an event stream refused with 401 reports the lost session instead of retrying forever', async () => {
    const client = createHttpClient({ baseUrl: server.url, eventSource: undiciEventSource(), reconnectDelayMs: () => 50 });
    const lost = new Promise<void>((resolve) => client.onUnauthorized(resolve));
    client.listen('data-changed', () => undefined);
    await lost;
    await untilConnection(client, 'offline');
    client.close();
  });
});
