import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron'));

import * as fake from './fake-electron';
import { startShell } from '../../src-main/electron/shell';
import { mainWindowOptions, RENDERER_CSP, WINDOW_ICON } from '../../src-main/electron/window';
import { PAGE_CSP } from '../../src-main/core/api/http-api';
import { CHANNEL } from '../../src-main/electron/channels';
import { tempDir } from '../support/fixtures';
import { openDb } from '../../src-main/core/store/db';
import { SettingsRepo, type SettingsPatch } from '../../src-main/core/store/settings-repo';
import net from 'node:net';

describe('Electron shell (with a fake electron module)', () => {
  let dir: string;
  let shell: Awaited<ReturnType<typeof startShell>>;
  const rendererIndex = '/opt/safekeep/out/renderer/index.html';
  const appUrl = 'file:///opt/safekeep/out/renderer/index.html';
  // Where main.ts finds it: the app's folder (this checkout) + WINDOW_ICON.
  const icon = path.resolve(WINDOW_ICON);

  beforeEach(async () => {
    dir = tempDir();
    fake.app.userData = dir;
    // The origin server and the DICOM listener listen where Settings say: ephemeral loopback ports here.
    const db = openDb(dir);
    await new SettingsRepo(db).update({ server: { host: '127.0.0.1', port: 0 }, dimse: { aeTitle: 'SAFEKEEP', port: 0, peers: [] } });
    db.close();
    fake.ipcMain.handlers.clear();
    fake.BrowserWindow.created.length = 0;
    shell = await startShell(
      { app: fake.app as never, BrowserWindow: fake.BrowserWindow as never, ipcMain: fake.ipcMain as never, session: fake.session as never, dialog: fake.dialog as never },
      { preload: '/opt/safekeep/out/preload/index.cjs', rendererIndex, icon },
    );
  });
  afterEach(async () => {
    await shell.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens an isolated, sandboxed window without Node, with the preload, on the built renderer', () => {
    const win = fake.BrowserWindow.created[0]!;
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      preload: '/opt/safekeep/out/preload/index.cjs',
    });
    expect(mainWindowOptions('x').webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(win.loaded).toBe(rendererIndex);
    expect(win.shown).toBe(true);
    // The core's store lives in Electron's userData folder.
    expect(fs.existsSync(path.join(dir, 'safekeep.sqlite'))).toBe(true);
  });

  it("shows Safekeep's icon: the 512×512 PNG of resources/", () => {
    expect(fake.BrowserWindow.created[0]!.options.icon).toBe(icon);
    const png = fs.readFileSync(icon);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: width and height, big-endian.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    expect(mainWindowOptions('x')).not.toHaveProperty('icon');
  });

  it('starts the origin server with the core; the DICOM listener with the first DIMSE remote', async () => {
    expect(shell.server!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${shell.server!.url}/dicomweb/commitment-requests/1.2.3`);
    expect(res.status).toBe(401); // authentication is on by default
    // No DIMSE remote or peer: nothing listens, and the state says why.
    expect(await fake.ipcMain.invoke(CHANNEL.send, appUrl, 'dimse-listener', {})).toMatchObject({ ok: true, value: { state: 'stopped', detail: expect.stringMatching(/no DIMSE remote or peer/) } });
    const wc = fake.BrowserWindow.created[0]!.webContents;
    const saved = await fake.ipcMain.invoke(CHANNEL.send, appUrl, 'remotes-save', { input: { kind: 'dimse', name: 'PACS', config: { aeTitle: 'PACS', host: '127.0.0.1', port: 104 } } });
    expect(saved.ok).toBe(true);
    const listening = await fake.ipcMain.invoke(CHANNEL.send, appUrl, 'dimse-listener', {});
    expect(listening.value).toMatchObject({ state: 'listening', aeTitle: 'SAFEKEEP', host: '127.0.0.1' });
    expect(listening.value.port).toBe(shell.host.core.dimse.service!.port);
    expect(wc.sent).toContainEqual([CHANNEL.event, 'dimse-listener-changed', listening.value]);
    // Deleting the last DIMSE remote stops it again.
    await fake.ipcMain.invoke(CHANNEL.send, appUrl, 'remotes-delete', { id: saved.value.id });
    expect((await fake.ipcMain.invoke(CHANNEL.send, appUrl, 'dimse-listener', {})).value.state).toBe('stopped');
    expect(shell.host.core.dimse.service).toBeNull();
  });

  /** Restarts the shell with a port that another program holds, put into the settings by `settings`. */
  const restartWithPortTaken = async (settings: (port: number) => SettingsPatch): Promise<number> => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    await shell.stop();
    const db = openDb(dir);
    await new SettingsRepo(db).update(settings(port));
    db.close();
    fake.dialog.errors.length = 0;
    fake.ipcMain.handlers.clear();
    try {
      shell = await startShell(
        { app: fake.app as never, BrowserWindow: fake.BrowserWindow as never, ipcMain: fake.ipcMain as never, session: fake.session as never, dialog: fake.dialog as never },
        { preload: '/p.cjs', rendererIndex },
      );
    } finally {
      blocker.close();
    }
    return port;
  };

  it('says why the DICOM listener did not start (port in use), and still opens the window', async () => {
    const port = await restartWithPortTaken((p) => ({ dimse: { port: p, peers: [{ aeTitle: 'MODALITY', host: '127.0.0.1', port: 104 }] } }));
    expect(fake.dialog.errors[0]![1]).toContain(`port ${port} on 127.0.0.1 is in use`);
    const state = await fake.ipcMain.invoke(CHANNEL.send, appUrl, 'dimse-listener', {});
    expect(state.value).toMatchObject({ state: 'failed', port, detail: expect.stringMatching(/choose another DICOM port in Settings/) });
    expect(fake.BrowserWindow.created.at(-1)!.loaded).toBe(rendererIndex);
  });

  it('still opens the window when the origin server port is taken, and says why', async () => {
    const port = await restartWithPortTaken((p) => ({ server: { host: '127.0.0.1', port: p } }));
    expect(shell.server).toBeNull();
    expect(fake.dialog.errors[0]![1]).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(fake.BrowserWindow.created.at(-1)!.loaded).toBe(rendererIndex);
  });

  it('sets a strict Content-Security-Policy on every response', () => {
    let result: any;
    fake.session.defaultSession.headersListener!({ responseHeaders: { 'X-Other': ['1'] } }, (r: any) => (result = r));
    expect(result.responseHeaders['Content-Security-Policy']).toEqual([RENDERER_CSP]);
    expect(result.responseHeaders['X-Other']).toEqual(['1']);
    expect(RENDERER_CSP).toMatch(/default-src 'self'/);
    expect(RENDERER_CSP).toMatch(/script-src 'self'(;|$)/);
    expect(RENDERER_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('carries the same CSP in the page itself, for file:// loads that get no headers', () => {
    const html = fs.readFileSync(path.join(__dirname, '../../src-renderer/index.html'), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(PAGE_CSP);
    expect(RENDERER_CSP.startsWith(PAGE_CSP)).toBe(true);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
  });

  it('refuses navigation away from the app, new windows and permissions', () => {
    const wc = fake.BrowserWindow.created[0]!.webContents;
    const away = { preventDefault: vi.fn() };
    wc.emit('will-navigate', away, 'https://example.com/');
    expect(away.preventDefault).toHaveBeenCalled();
    const inside = { preventDefault: vi.fn() };
    wc.emit('will-navigate', inside, `${appUrl}#/outgoing`);
    expect(inside.preventDefault).not.toHaveBeenCalled();
    expect(wc.windowOpenHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    let granted: boolean | undefined;
    fake.session.defaultSession.permissionHandler!(wc, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
  });

  it('relays the contract over IPC with validation, as values', async () => {
    const ok = await fake.ipcMain.invoke(CHANNEL.send, appUrl, 'library-summary', {});
    expect(ok).toMatchObject({ ok: true, value: { instances: 0, roots: [] } });
    const bad = await fake.ipcMain.invoke(CHANNEL.send, appUrl, 'library-studies', { limit: 'ten' });
    expect(bad).toEqual({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/^Invalid arguments for library-studies: limit: /) } });
    const unknown = await fake.ipcMain.invoke(CHANNEL.send, appUrl, 'drop-database', {});
    expect(unknown).toEqual({ ok: false, error: { code: 'not-found', message: 'No API call "drop-database"' } });
    const stranger = await fake.ipcMain.invoke(CHANNEL.send, 'https://evil.example/', 'library-summary', {});
    expect(stranger).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const domainError = await fake.ipcMain.invoke(CHANNEL.send, appUrl, 'remotes-test', { id: 42 });
    expect(domainError).toEqual({ ok: false, error: { code: 'not-found', message: 'No remote with id 42' } });
  });

  it('forwards core events to the window', async () => {
    const wc = fake.BrowserWindow.created[0]!.webContents;
    shell.host.events.emit('data-changed', { tables: ['remotes'] });
    expect(wc.sent).toContainEqual([CHANNEL.event, 'data-changed', { tables: ['remotes'] }]);
  });

  it('saves the page as PDF where the user chooses', async () => {
    fake.dialog.saveTo = path.join(dir, 'report.pdf');
    const r = await fake.ipcMain.invoke(CHANNEL.printToPdf, appUrl, 'report 1.pdf');
    expect(r).toBe(path.join(dir, 'report.pdf'));
    expect(fs.readFileSync(path.join(dir, 'report.pdf'), 'utf8')).toMatch(/^%PDF/);
    fake.dialog.saveTo = null;
    expect(await fake.ipcMain.invoke(CHANNEL.printToPdf, appUrl, 'x')).toBeNull();
  });
});
