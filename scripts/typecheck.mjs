#!/usr/bin/env node
// Type-checks each part against its own environment: src-shared with no Node or DOM types at all
// (so it cannot use them), the core and CLI with Node, the renderer with the DOM, the Electron shell
// with Electron's types.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const projects = ['tsconfig.shared.json', 'tsconfig.node.json', 'tsconfig.web.json', 'tsconfig.electron.json'].filter((p) => existsSync(p));
let failed = false;
for (const p of projects) {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', p, '--noEmit'], { stdio: 'inherit' });
  console.log(`typecheck ${p}: ${r.status === 0 ? 'ok' : 'FAILED'}`);
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
