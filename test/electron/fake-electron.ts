/**
 * A small stand-in for the parts of Electron the shell uses, for unit tests (the
 * Electron binary cannot run here) and for type-checking the shell where the
 * electron package (optional) is not installed. It records what the shell did.
 */
import { EventEmitter } from 'node:events';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type BrowserWindowConstructorOptions = { webPreferences?: Record<string, unknown>; [k: string]: unknown };
export type IpcMainInvokeEvent = { senderFrame?: { url: string } | null };
type Handler = (e: IpcMainInvokeEvent, ...args: any[]) => any;

export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, fn: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, fn);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke from a page at `url` would get. */
  invoke(channel: string, url: string, ...args: unknown[]): Promise<any> {
    const fn = this.handlers.get(channel);
    if (!fn) throw new Error(`No handler registered for '${channel}'`);
    return Promise.resolve(fn({ senderFrame: { url } }, ...args));
  }
}
export type IpcMain = FakeIpcMain;

export class FakeWebContents extends EventEmitter {
  readonly sent: unknown[][] = [];
  windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null;
  send(...args: unknown[]): void {
    this.sent.push(args);
  }
  setWindowOpenHandler(fn: (d: { url: string }) => { action: 'deny' | 'allow' }): void {
    this.windowOpenHandler = fn;
  }
  async printToPDF(_o: unknown): Promise<Buffer> {
    return Buffer.from('%PDF-1.4 fake');
  }
}

export class BrowserWindow extends EventEmitter {
  static created: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loaded: string | null = null;
  shown = false;
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    BrowserWindow.created.push(this);
  }
  async loadFile(p: string): Promise<void> {
    this.loaded = p;
    this.emit('ready-to-show');
  }
  show(): void {
    this.shown = true;
  }
  isDestroyed(): boolean {
    return false;
  }
}

export class FakeSession {
  headersListener: ((details: any, callback: (r: any) => void) => void) | null = null;
  permissionHandler: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  readonly webRequest = {
    onHeadersReceived: (fn: (details: any, callback: (r: any) => void) => void) => {
      this.headersListener = fn;
    },
  };
  setPermissionRequestHandler(fn: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void): void {
    this.permissionHandler = fn;
  }
}
export type Session = FakeSession;

export const session = { defaultSession: new FakeSession() };
export const ipcMain = new FakeIpcMain();
export const app = Object.assign(new EventEmitter(), {
  userData: '',
  getPath: (_name: string) => app.userData,
  quit: () => undefined,
  setName: (_n: string) => undefined,
  whenReady: () => Promise.resolve(),
});
export type App = typeof app;
export const dialog = {
  errors: [] as string[][],
  saveTo: null as string | null,
  showErrorBox: (title: string, content: string) => void dialog.errors.push([title, content]),
  showSaveDialog: async (_w: unknown, _o: unknown) => ({ canceled: dialog.saveTo === null, filePath: dialog.saveTo ?? undefined }),
};
export type Dialog = typeof dialog;

// Preload side.
export const exposed: Record<string, unknown> = {};
export const contextBridge = { exposeInMainWorld: (key: string, api: unknown) => void (exposed[key] = api) };
export const ipcRenderer = Object.assign(new EventEmitter(), {
  invoked: [] as unknown[][],
  invoke: async (...args: unknown[]): Promise<any> => {
    ipcRenderer.invoked.push(args);
    return { ok: true, value: null };
  },
});
export const webUtils = { getPathForFile: (f: { path?: string; name: string }) => f.path ?? `/dropped/${f.name}` };
