import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/fixtures';

const repo = path.resolve(__dirname, '../..');
const depcruise = path.join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

/** A small tree laid out like the project: each file breaks one rule, or keeps to them. */
const TREE: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true } }),
  // Fine: src-shared with its one package; the renderer with the contract.
  'src-shared/contract.ts': "import { z } from 'zod';\nexport const Name = z.string();\n",
  'src-renderer/src/screen.ts': "import { Name } from '../../src-shared/contract';\nexport const n = Name;\n",
  // A core file that the files below must not import.
  'src-main/core/app.ts': 'export const app = 1;\n',
  // The core with Electron and React.
  'src-main/core/window.ts': "import { BrowserWindow } from 'electron';\nexport const w = BrowserWindow;\n",
  'src-main/core/view.ts': "import { createElement } from 'react';\nexport const v = createElement;\n",
  // src-shared with Node, a DOM-only package, and the core.
  'src-shared/files.ts': "import fs from 'node:fs';\nexport const f = fs;\n",
  'src-shared/dom.ts': "import { createRoot } from 'react-dom/client';\nexport const r = createRoot;\n",
  'src-shared/outside.ts': "import { app } from '../src-main/core/app';\nexport const a = app;\n",
  // The renderer with the core and Node.
  'src-renderer/src/core.ts': "import { app } from '../../src-main/core/app';\nexport const a = app;\n",
  'src-renderer/src/node.ts': "import path from 'node:path';\nexport const p = path;\n",
  // A new file cycle.
  'src-main/core/one.ts': "import { two } from './two';\nexport const one = () => two;\n",
  'src-main/core/two.ts': "import { one } from './one';\nexport const two = () => one;\n",
  // A folder cycle engine ↔ dimse, through different files (no file cycle): reported (no folder cycle is known any more).
  'src-main/core/engine/sends.ts': "import { scu } from '../dimse/scu';\nexport const sends = scu;\n",
  'src-main/core/dimse/scu.ts': 'export const scu = 1;\n',
  'src-main/core/dimse/reports.ts': "import { intake } from '../engine/intake';\nexport const reports = intake;\n",
  'src-main/core/engine/intake.ts': 'export const intake = 1;\n',
  // A new folder cycle: store ↔ library.
  'src-main/core/store/repo.ts': "import { header } from '../library/header';\nexport const repo = header;\n",
  'src-main/core/library/header.ts': 'export const header = 1;\n',
  'src-main/core/library/scanner.ts': "import { db } from '../store/db';\nexport const scanner = db;\n",
  'src-main/core/store/db.ts': 'export const db = 1;\n',
  // A dependency engine → origin, closing a cycle with origin → engine.
  'src-main/core/origin/forward.ts': "import { intake } from '../engine/intake';\nexport const forward = intake;\n",
  'src-main/core/origin/policy.ts': 'export const policy = 1;\n',
  'src-main/core/engine/proxy.ts': "import { policy } from '../origin/policy';\nexport const proxy = policy;\n",
};

interface Violation {
  rule: { name: string; severity: string };
  from: string;
  to: string;
}

describe('the dependency rules (.dependency-cruiser.cjs, npm run lint:deps)', () => {
  let dir: string;
  let violations: Violation[];

  beforeAll(() => {
    dir = tempDir();
    for (const [file, text] of Object.entries(TREE)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
    let out: string;
    try {
      out = execFileSync(process.execPath, [depcruise, '--config', path.join(repo, '.dependency-cruiser.cjs'), '--output-type', 'json', 'src-main', 'src-shared', 'src-renderer'], { cwd: dir, encoding: 'utf8' });
    } catch (e) {
      // Exit code 1+ with violations: the JSON is on stdout all the same.
      out = (e as { stdout: string }).stdout;
    }
    violations = JSON.parse(out).summary.violations;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** What fails the check ("ignore": a known violation of the config). */
  const found = () =>
    violations
      .filter((v) => v.rule.severity !== 'ignore')
      .map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)
      .sort();

  it('reports each kind of forbidden import, and nothing that keeps to the rules', () => {
    expect(found()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^core-not-to-ui: src-main\/core\/window\.ts → (.*node_modules\/)?electron/),
        expect.stringMatching(/^core-not-to-ui: src-main\/core\/view\.ts → .*node_modules\/react\//),
        expect.stringMatching(/^shared-not-to-node: src-shared\/files\.ts → (node:)?fs$/),
        expect.stringMatching(/^shared-only-pure-packages: src-shared\/dom\.ts → .*node_modules\/react-dom\//),
        'shared-not-outside: src-shared/outside.ts → src-main/core/app.ts',
        'renderer-not-to-main: src-renderer/src/core.ts → src-main/core/app.ts',
        expect.stringMatching(/^renderer-not-to-node: src-renderer\/src\/node\.ts → (node:)?path$/),
      ]),
    );
    expect(found()).toHaveLength(7 + 1 + 6);
    expect(violations.filter((v) => /contract\.ts|screen\.ts/.test(v.from))).toEqual([]);
  });

  it('reports a file cycle; none is a known exception any more', () => {
    const cycles = found().filter((v) => v.startsWith('no-circular'));
    expect(cycles).toEqual(['no-circular: src-main/core/one.ts → src-main/core/two.ts']);
    const known = violations.filter((v) => v.rule.severity === 'ignore');
    expect(known).toEqual([]);
  });

  it('reports every folder cycle in the core, each way round: none is known any more', () => {
    const cycles = found().filter((v) => v.startsWith('no-core-folder-cycle'));
    expect(cycles).toEqual([
      'no-core-folder-cycle: src-main/core/dimse → src-main/core/engine',
      'no-core-folder-cycle: src-main/core/engine → src-main/core/dimse',
      'no-core-folder-cycle: src-main/core/engine → src-main/core/origin',
      'no-core-folder-cycle: src-main/core/library → src-main/core/store',
      'no-core-folder-cycle: src-main/core/origin → src-main/core/engine',
      'no-core-folder-cycle: src-main/core/store → src-main/core/library',
    ]);
  });
});
