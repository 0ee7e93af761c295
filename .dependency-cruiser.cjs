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

/**
 * Dependencies between folders of src-main/core that close a cycle: folder → the folders it
 * reaches back through. engine ↔ dimse, origin ↔ dimse, origin → engine.
 */
const KNOWN_FOLDER_CYCLE_EDGES = {
  // engine/dimse-driver, dimse-round-trip, dimse-text, report-intake use dimse/ (scu, lib, types, report-probes):
  // removed in issue 10 phase 10b.
  engine: ['dimse'],
  // dimse/service.ts (the SCP) uses engine/backoff and origin's policy and processor types: removed in issue 10 phase 10b.
  dimse: ['engine', 'origin'],
  // origin/forward-policy.ts uses dimse/types, engine/dimse-driver and the Engine type: removed in issue 10 phase 10b.
  origin: ['dimse', 'engine'],
};

const coreFolder = (name) => `^src-main/core/${name}$`;
const knownFolders = Object.keys(KNOWN_FOLDER_CYCLE_EDGES);

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
      from: { path: '^src-main/core/[^/]+$', pathNot: knownFolders.map(coreFolder) },
      to: { circular: true },
    },
    // The folders with known cycles: only their known dependencies may stay in a cycle.
    ...knownFolders.map((from) => ({
      name: 'no-core-folder-cycle',
      comment: `No cycle between the folders of src-main/core; ${from} → ${KNOWN_FOLDER_CYCLE_EDGES[from].join(', ')} known.`,
      severity: 'error',
      scope: 'folder',
      from: { path: coreFolder(from) },
      to: { circular: true, pathNot: KNOWN_FOLDER_CYCLE_EDGES[from].map(coreFolder) },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
