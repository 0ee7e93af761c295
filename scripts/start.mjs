#!/usr/bin/env node
// `npm start`: the desktop app where Electron can run; otherwise the same app in the browser
// (headless `safekeep serve`), saying why.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

function electronBinary() {
  if (process.env.SAFEKEEP_NO_ELECTRON) return { reason: 'SAFEKEEP_NO_ELECTRON is set' };
  let bin;
  try {
    bin = require('electron'); // the package's index.js returns the binary's path, or throws
  } catch (e) {
    const missing = e && e.code === 'MODULE_NOT_FOUND';
    const text = String(e?.message ?? e).split('\n')[0];
    if (missing) return { reason: 'the electron package is not installed (it is optional; its download needs internet)' };
    if (/failed to install correctly/.test(text)) return { reason: 'the electron package is installed without its binary (downloading it needs internet)' };
    return { reason: text };
  }
  if (typeof bin !== 'string') return { reason: 'the electron package did not name a binary' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display (DISPLAY / WAYLAND_DISPLAY unset)' };
  }
  return { bin };
}

const found = electronBinary();
let child;
if (found.bin) {
  child = spawn(found.bin, [root, ...args], { stdio: 'inherit' });
} else {
  console.log(`Electron is not available here: ${found.reason}.`);
  console.log('Starting Safekeep in browser mode instead: open the address printed below.');
  child = spawn(process.execPath, [path.join(root, 'bin', 'safekeep.mjs'), 'serve', ...args], { stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
