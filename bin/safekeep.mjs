#!/usr/bin/env node
// The safekeep command: runs the built CLI (npm run build writes out/main/cli.js).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('safekeep: not built yet; run "npm run build" (or "npm start") first\n');
  process.exit(2);
}
await import(pathToFileURL(cli).href);
