import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, safeStorage, session } from 'electron';
import { startShell } from './shell';
import { WINDOW_ICON } from './window';

// The Electron main process entry (built to out/main/index.js).
app.setName('Safekeep');

let stop: (() => Promise<void>) | null = null;

app.whenReady().then(async () => {
  const shell = await startShell(
    { app, BrowserWindow, ipcMain, session, dialog, safeStorage },
    {
      preload: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
      rendererIndex: fileURLToPath(new URL('../renderer/index.html', import.meta.url)),
      // out/main/index.js → the app's folder.
      icon: fileURLToPath(new URL(`../../${WINDOW_ICON}`, import.meta.url)),
      // Built next to this file by electron-vite (see electron.vite.config.ts).
      headerWorkerScript: new URL('./header-worker.js', import.meta.url),
    },
  );
  stop = shell.stop;
});

app.on('window-all-closed', () => app.quit());

let stopping = false;
app.on('before-quit', (event) => {
  if (stopping || !stop) return;
  // Let the core finish writing before the process goes.
  event.preventDefault();
  stopping = true;
  void stop().finally(() => app.quit());
});
