#!/usr/bin/env node
// `npm run bench [name ...]`: runs the benchmarks (all, or the named ones) one after another; each prints its figures.
import { spawnSync } from 'node:child_process';

const all = ['library-scan', 'origin', 'engine', 'dimse', 'send', 'stow', 'compare', 'ui', 'verdict', 'upload', 'verify-content', 'store-backends', 'nodes'];
const asked = process.argv.slice(2).filter((a) => a !== '--');
const names = asked.length ? asked : all;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`No benchmark "${name}" (have: ${all.join(', ')})`);
    process.exit(2);
  }
  console.log(`\n=== bench/${name}.ts ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
