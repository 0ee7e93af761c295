// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import type { PreloadApi } from '../../src-shared/contract/client';
import { createAppApi } from '../../src-renderer/src/api/client';
import { createElectronClient } from '../../src-renderer/src/api/client.electron';

/** A fake preload bridge: answers like the main process, records calls, pushes events. */
function fakePreload(answer: (name: string, args: unknown) => unknown = () => ({ ok: true, value: {} })) {
  const sent: { name: string; args: unknown }[] = [];
  const subscribers = new Set<(name: string, payload: unknown) => void>();
  const preload: PreloadApi & { push(name: string, payload: unknown): void; subscribers: typeof subscribers } = {
    send: vi.fn(async (name: string, args: unknown) => {
      sent.push({ name, args });
      return answer(name, args) as never;
    }),
    on: vi.fn((fn: (name: string, payload: unknown) => void) => {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    }),
    pathsOf: (files) => files.map((f) => `/real/${(f as File).name}`),
    printToPdf: async () => null,
    push: (name, payload) => subscribers.forEach((fn) => fn(name, payload)),
    subscribers,
  };
  return { preload, sent };
}

/** Part of a scan-progress payload: the client passes payloads on as they are. */
const SCAN = { scanId: 'scan-1', state: 'running' };

describe('Electron client (window.safekeep)', () => {
  it('sends each call with its arguments and returns the Result as it is', async () => {
    const { preload, sent } = fakePreload((name) =>
      name === 'outgoing-get' ? { ok: false, error: { code: 'not-found', message: 'No outgoing request 9' } } : { ok: true, value: { studies: 2 } },
    );
    const client = createElectronClient(preload);
    expect(client.host).toBe('electron');
    expect(await client.send('library-summary', {})).toEqual({ ok: true, value: { studies: 2 } });
    expect(await client.send('outgoing-get', { id: 9 })).toEqual({ ok: false, error: { code: 'not-found', message: 'No outgoing request 9' } });
    expect(sent).toEqual([
      { name: 'library-summary', args: {} },
      { name: 'outgoing-get', args: { id: 9 } },
    ]);
  });

  it('never throws: an IPC failure or a malformed answer becomes an error value', async () => {
    const failing = createElectronClient(
      fakePreload(() => {
        throw new Error('Object has been destroyed');
      }).preload,
    );
    expect(await failing.send('library-summary', {})).toEqual({ ok: false, error: { code: 'unavailable', message: 'library-summary: Object has been destroyed' } });
    const odd = createElectronClient(fakePreload(() => 'not a result').preload);
    expect(await odd.send('library-summary', {})).toEqual({ ok: false, error: { code: 'internal', message: 'library-summary: unexpected answer from the main process' } });
    const badError = createElectronClient(fakePreload(() => ({ ok: false, error: { code: 'nope', message: 1 } })).preload);
    expect((await badError.send('library-summary', {})).ok).toBe(false);
  });

  it('shares one event subscription among listeners, dispatches by name, and drops it with the last listener', () => {
    const { preload } = fakePreload();
    const client = createElectronClient(preload);
    const a = vi.fn();
    const b = vi.fn();
    const c = vi.fn();
    const offA = client.listen('data-changed', a);
    const offB = client.listen('data-changed', b);
    const offC = client.listen('scan-progress', c);
    expect(preload.on).toHaveBeenCalledTimes(1);
    preload.push('data-changed', { tables: ['outgoing', 'verdicts'] });
    preload.push('scan-progress', SCAN);
    preload.push('not-an-event', { x: 1 });
    expect(a).toHaveBeenCalledWith({ tables: ['outgoing', 'verdicts'] });
    expect(b).toHaveBeenCalledWith({ tables: ['outgoing', 'verdicts'] });
    expect(c).toHaveBeenCalledWith(SCAN);
    expect(a).toHaveBeenCalledTimes(1);
    offA();
    offA(); // twice is harmless
    preload.push('data-changed', { tables: ['library'] });
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
    offB();
    offC();
    expect(preload.subscribers.size).toBe(0);
    client.listen('dimse-listener-changed', vi.fn());
    expect(preload.on).toHaveBeenCalledTimes(2);
  });

  it('a listener that throws does not stop the others', () => {
    const { preload } = fakePreload();
    const client = createElectronClient(preload);
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const ok = vi.fn();
    client.listen('data-changed', () => {
      throw new Error('boom');
    });
    client.listen('data-changed', ok);
    preload.push('data-changed', { tables: ['library'] });
    expect(ok).toHaveBeenCalledWith({ tables: ['library'] });
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
  });

  it('createAppApi picks Electron when the preload bridge is there, else HTTP', () => {
    const { preload } = fakePreload();
    const electron = createAppApi({ safekeep: preload });
    expect(electron.client.host).toBe('electron');
    expect(electron.preload).toBe(preload);
    expect(electron.http).toBeNull();
    const browser = createAppApi({});
    expect(browser.client.host).toBe('browser');
    expect(browser.http).toBe(browser.client);
    browser.http!.close();
  });
});
