#!/usr/bin/env node
// Type-checks each part against its own environment: src-shared with no Node or DOM types at all
// (so it cannot use them), the core and CLI with Node, the renderer with the DOM, the Electron shell
// with Electron's types — or, where the optional electron package is not installed (an offline
// install), against the test fake of the Electron API that the shell's unit tests use.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const projects = ['tsconfig.shared.json', 'tsconfig.node.json', 'tsconfig.web.json'];
if (existsSync('node_modules/electron/electron.d.ts')) {
  projects.push('tsconfig.electron.json');
} else {
  const dir = 'node_modules/.cache/safekeep';
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'tsconfig.electron-fake.json');
  writeFileSync(
    file,
    JSON.stringify({
      extends: path.relative(dir, 'tsconfig.electron.json'),
      compilerOptions: { paths: { electron: [path.relative(dir, 'test/electron/fake-electron.ts')] } },
      include: ['../../../src-main/electron/**/*.ts', '../../../test/electron/**/*.ts', '../../../src-main/**/*.d.ts'],
    }),
  );
  console.log('typecheck: the electron package is not installed; checking the Electron shell against test/electron/fake-electron.ts');
  projects.push(file);
}
let failed = false;
for (const p of projects) {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', p, '--noEmit'], { stdio: 'inherit' });
  console.log(`typecheck ${p}: ${r.status === 0 ? 'ok' : 'FAILED'}`);
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
