import type { BrowserWindow, BrowserWindowConstructorOptions, Session } from 'electron';
import { APP_CSP } from '../core/api/http-api';

/** The Content-Security-Policy of the renderer: only the app's own files, no remote content. */
export const RENDERER_CSP = APP_CSP;

/** The window's icon, relative to the app's folder (resources/ holds the icon in every size of the desktops). */
export const WINDOW_ICON = 'resources/icons/hicolor/512x512/apps/safekeep.png';

/** Isolation, sandbox, no Node in the renderer: the renderer reaches the core only through the preload's contract. */
export function mainWindowOptions(preload: string, icon?: string): BrowserWindowConstructorOptions {
  return {
    ...(icon ? { icon } : {}),
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    title: 'Safekeep',
    show: false,
    backgroundColor: '#0f1419',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** Every response of the app's session carries the CSP (file:// pages included). */
export function installCsp(session: Pick<Session, 'webRequest'>): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
}

/** No navigation away from the app, no new windows, no permission prompts (camera, notifications...). */
export function hardenWindow(win: Pick<BrowserWindow, 'webContents'>, appUrlPrefix: string, session: Pick<Session, 'setPermissionRequestHandler'>): void {
  win.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(appUrlPrefix)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
}
