import { fileURLToPath } from 'node:url';
import { builtPaths } from '../core/built-paths';
import { setHeaderWorkerScript } from '../core/library/header-pool';
import { runCli } from './main';
import { exitWhenFlushed, quietOnClosedPipe } from './flush';

// Built next to this file by electron-vite (see electron.vite.config.ts).
setHeaderWorkerScript(new URL('./header-worker.js', import.meta.url));
builtPaths.rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));

// The `safekeep` command (bin/safekeep.mjs loads the built copy of this file).
quietOnClosedPipe();
const code = await runCli(process.argv.slice(2));
await exitWhenFlushed(code);
