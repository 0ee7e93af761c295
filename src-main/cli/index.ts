import { fileURLToPath } from 'node:url';
import { runCli } from './main';
import { exitWhenFlushed, quietOnClosedPipe } from './flush';

// The `safekeep` command (bin/safekeep.mjs loads the built copy of this file).
quietOnClosedPipe();
const code = await runCli(process.argv.slice(2), {
  // Built next to this file by electron-vite (see electron.vite.config.ts).
  headerWorkerScript: new URL('./header-worker.js', import.meta.url),
  rendererDir: fileURLToPath(new URL('../renderer/', import.meta.url)),
});
await exitWhenFlushed(code);
