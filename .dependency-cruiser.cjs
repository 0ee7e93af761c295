// The import rules of the house (docs: README "Layout"), checked by `npm run lint:deps` in `npm test`.
// Type-only imports count: a cycle of types is a cycle of design.

/** Packages src-shared may use: pure TypeScript that runs anywhere (no Node, no DOM). */
const SHARED_PACKAGES = ['zod'];

/** A package by name, whether it resolved (node_modules/…) or not (electron is optional). */
const pkg = (...names) => `(^|/node_modules/)(${names.join('|')})(/|$)`;

// ---------------------------------------------------------------------------------------------
// Violations known today, each a named exception; each is removed in issue 10 phase 10b.
// Anything not listed here fails the check. There is no known file cycle left: every one fails.
// ---------------------------------------------------------------------------------------------


/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-not-to-ui',
      comment: 'The core runs under plain Node (serve, CLI): no Electron, no React, no renderer.',
      severity: 'error',
      from: { path: '^src-main/(core|cli)/' },
      to: { path: [pkg('electron', 'react', 'react-dom'), '^src-renderer/'] },
    },
    {
      name: 'shared-not-to-node',
      comment: 'src-shared is pure TypeScript: no Node built-ins.',
      severity: 'error',
      from: { path: '^src-shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-only-pure-packages',
      comment: `src-shared uses no DOM-only (nor Node-only) package: only ${SHARED_PACKAGES.join(', ')}.`,
      severity: 'error',
      from: { path: '^src-shared/' },
      to: { dependencyTypesNot: ['core', 'local'], pathNot: pkg(...SHARED_PACKAGES) },
    },
    {
      name: 'shared-not-outside',
      comment: 'src-shared imports nothing of the rest of the project.',
      severity: 'error',
      from: { path: '^src-shared/' },
      to: { dependencyTypes: ['local'], pathNot: '^src-shared/' },
    },
    {
      name: 'renderer-not-to-main',
      comment: 'The renderer talks to the core only through the contract (src-shared/contract), and has no Node.',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/' },
    },
    {
      name: 'renderer-not-to-node',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular',
      comment: 'No import cycle between files.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-core-folder-cycle',
      comment: 'No cycle between the folders of src-main/core.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src-main/core/[^/]+$' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
