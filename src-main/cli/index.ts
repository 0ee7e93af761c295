import { fileURLToPath } from 'node:url';
import { builtPaths } from '../core/built-paths';
import { setHeaderWorkerScript } from '../core/library/header-pool';
import { runCli } from './main';

// Built next to this file by electron-vite (see electron.vite.config.ts).
setHeaderWorkerScript(new URL('./header-worker.js', import.meta.url));
builtPaths.rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));

// The `safekeep` command (bin/safekeep.mjs loads the built copy of this file).
const code = await runCli(process.argv.slice(2));
process.exit(code);
