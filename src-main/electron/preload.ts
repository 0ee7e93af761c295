import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { PreloadApi } from '../../src-shared/contract/client';
import { CHANNEL } from './channels';

// Exactly the contract, nothing more: no ipcRenderer, no Node, no file system in the renderer.
const api = {
  send: (name, args) => ipcRenderer.invoke(CHANNEL.send, name, args),
  on: (listener) => {
    const handler = (_e: unknown, name: string, payload: unknown) => listener(name, payload);
    ipcRenderer.on(CHANNEL.event, handler);
    return () => {
      ipcRenderer.removeListener(CHANNEL.event, handler);
    };
  },
  pathsOf: (files) => files.map((f) => webUtils.getPathForFile(f as File)),
  printToPdf: (suggestedName) => ipcRenderer.invoke(CHANNEL.printToPdf, suggestedName),
} satisfies PreloadApi;

contextBridge.exposeInMainWorld('safekeep', api);
