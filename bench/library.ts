import fs from 'node:fs';
import path from 'node:path';
import { makeLibrary, type GeneratedInstance } from '../test/support/fixtures';
import { CACHE_DIR, fmt } from './support';

/**
 * A generated library of `files` instances, cached under bench/.cache between runs
 * (with a manifest of its instances), so repeated benchmark runs measure the same files.
 */
export function benchLibrary(files: number, pixelBytes: number, perSeries = 100): { dir: string; instances: GeneratedInstance[] } {
  const dir = path.join(CACHE_DIR, `library-${files}-${pixelBytes}`);
  const manifest = `${dir}.json`;
  if (!fs.existsSync(manifest)) {
    fs.rmSync(dir, { recursive: true, force: true });
    console.log(`Generating ${files} files with ${pixelBytes} bytes of pixel data in ${dir} ...`);
    const t = performance.now();
    const studies = Math.ceil(files / perSeries / 5);
    const made = makeLibrary(dir, { studies, seriesPerStudy: 5, instancesPerSeries: perSeries, pixelBytes });
    for (const extra of made.slice(files)) fs.rmSync(extra.path);
    fs.writeFileSync(manifest, JSON.stringify(made.slice(0, files)));
    console.log(`  generated in ${fmt((performance.now() - t) / 1000)} s`);
  }
  return { dir, instances: JSON.parse(fs.readFileSync(manifest, 'utf8')) as GeneratedInstance[] };
}
