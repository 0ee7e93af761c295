import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { App, BrowserWindow, Dialog, IpcMain, Session } from 'electron';
import { ALL_WORK, openHost, type Host } from '../core/host/host';
import type { HostPaths } from '../core/host/options';
import type { RunningHttpServer } from '../core/http/server';
import { CHANNEL } from './channels';
import { safeStorageSealer, type SafeStorageParts } from './safe-storage-sealer';
import { forwardEvents, registerIpc, trustedSender } from './ipc';
import { hardenWindow, installCsp, mainWindowOptions } from './window';

/** What the shell needs of Electron, so that tests can hand it a small fake. */
export interface ElectronParts {
  app: Pick<App, 'getPath' | 'on' | 'quit'>;
  BrowserWindow: new (o: ReturnType<typeof mainWindowOptions>) => BrowserWindow;
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  session: { defaultSession: Pick<Session, 'webRequest' | 'setPermissionRequestHandler'> };
  dialog: Pick<Dialog, 'showErrorBox' | 'showSaveDialog'>;
  /** Seals remote secrets with the OS keychain; without it (or unavailable), the key file beside the data folder. */
  safeStorage?: SafeStorageParts;
}

export interface ShellPaths {
  preload: string;
  rendererIndex: string;
  /** The window's icon (a PNG); none: Electron's own. */
  icon?: string;
  /** The compiled header worker (out/main/header-worker.js); none: headers are read on the main thread. */
  headerWorkerScript?: HostPaths['headerWorkerScript'];
}

/**
 * The Electron host of the core: starts everything (both directions, retention, the origin server, the
 * DICOM listener whenever it is needed), relays IPC, opens the window. No product logic lives here.
 */
export async function startShell(e: ElectronParts, paths: ShellPaths): Promise<{ host: Host; window: BrowserWindow; server: RunningHttpServer | null; stop(): Promise<void> }> {
  const sealer = e.safeStorage?.isEncryptionAvailable() ? { secretSealer: safeStorageSealer(e.safeStorage) } : {};
  const host = await openHost({ dataDir: e.app.getPath('userData'), paths: { rendererDir: null, headerWorkerScript: paths.headerWorkerScript ?? null }, ...sealer });
  await host.start(ALL_WORK);
  const { server: address } = await host.call('settings-get', {});
  let server: RunningHttpServer | null = null;
  try {
    server = (await host.start({ http: { host: address.host, port: address.port } })).server;
  } catch (err) {
    // The window still opens: verifying archives does not need the origin server.
    e.dialog.showErrorBox('Safekeep: origin server not started', `${(err as Error).message}\nChange the port in Settings and restart.`);
  }

  // The DICOM listener runs whenever a DIMSE remote or peer needs it, on the address and port of Settings.
  const dimse = (await host.start({ dimse: {} })).dimse!;
  if (dimse.state === 'failed') e.dialog.showErrorBox('Safekeep: DICOM listener not started', `${dimse.detail}.\nArchives cannot send their storage commitment reports until it runs.`);

  const appUrlPrefix = pathToFileURL(path.dirname(paths.rendererIndex)).href;
  installCsp(e.session.defaultSession);
  const unregister = registerIpc(e.ipcMain, host.handlers, trustedSender(appUrlPrefix));


  const window = new e.BrowserWindow(mainWindowOptions(paths.preload, paths.icon));
  hardenWindow(window, appUrlPrefix, e.session.defaultSession);
  const stopEvents = forwardEvents(host.events, (channel, name, payload) => {
    if (!window.isDestroyed()) window.webContents.send(channel, name, payload);
  });
  const isTrusted = trustedSender(appUrlPrefix);
  e.ipcMain.handle(CHANNEL.printToPdf, async (ev, suggestedName: unknown) => {
    if (!isTrusted(ev)) return null;
    const { filePath, canceled } = await e.dialog.showSaveDialog(window, {
      defaultPath: typeof suggestedName === 'string' ? suggestedName.replace(/[^\w.-]+/g, '_') : 'safekeep-report.pdf',
      filters: [{ name: 'PDF', extensions: ['pdf'] }],
    });
    if (canceled || !filePath) return null;
    fs.writeFileSync(filePath, await window.webContents.printToPDF({ printBackground: true }));
    return filePath;
  });
  window.once('ready-to-show', () => window.show());
  await window.loadFile(paths.rendererIndex);

  const stop = async () => {
    stopEvents();
    unregister();
    e.ipcMain.removeHandler(CHANNEL.printToPdf);
    await host.stop();
  };
  return { host, window, server, stop };
}
