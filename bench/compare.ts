/**
 * The cross-check of `compare` (issue 11 §2): the archive's listing of 100 studies, by C-FIND (Study Root,
 * IMAGE level) and by QIDO-RS (`/studies/{study}/instances`), from the same Orthanc 1.10 with its DICOMweb
 * plugin holding every instance; each way run `--rounds` times in ABAB order, two studies at a time as
 * `compare` does. Figures: seconds for all studies, studies/s, and QIDO-RS time over C-FIND time.
 *
 *   npm run bench compare    or    npx tsx bench/compare.ts [--studies 100] [--per-study 20] [--rounds 2]
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { crossCheck } from '../src-main/core/crosscheck/crosscheck';
import { listerFor } from '../src-main/core/crosscheck/listing';
import { setDimseLibraryLogLevel } from '../src-main/core/dimse/lib';
import type { IndexedFile } from '../src-main/core/library/model/files';
import type { RemoteWithSecret } from '../src-main/core/remotes/model/remote';
import { DicomwebRemoteConfigSchema, DimseRemoteConfigSchema } from '../src-shared/remotes';
import { makeLibrary, tempDir } from '../test/support/fixtures';
import { startOrthanc } from '../test/support/orthanc';
import { arg, fmt, table } from './support';

setDimseLibraryLogLevel('silent');
const run = promisify(execFile);
const studies = arg('studies', 100);
const perStudy = arg('per-study', 20);
const rounds = arg('rounds', 2);

const dir = tempDir('safekeep-bench-compare-');
const made = makeLibrary(dir, { studies, seriesPerStudy: 2, instancesPerSeries: Math.ceil(perStudy / 2), pixelBytes: 1024 });
const files: IndexedFile[] = made.map((i) => ({ path: i.path, sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, studyUid: i.studyUid, seriesUid: i.seriesUid, size: 0, mtimeMs: 0, patientId: null, accessionNumber: null, studyDate: null }));
// Debian's DCMTK (Orthanc's DICOM stack) leaves Nagle's algorithm on without this (see bench/send.ts).
process.env.TCP_NODELAY = '1';
const orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', '127.0.0.1', 104] }, dicomWeb: true });
try {
  console.log(`Storing ${made.length} instances of ${studies} studies into Orthanc ...`);
  for (let i = 0; i < made.length; i += 500) {
    await run('storescu', ['-aec', orthanc.aeTitle, '127.0.0.1', String(orthanc.dicomPort), ...made.slice(i, i + 500).map((x) => x.path)]);
  }
  const base = { id: 1, createdAt: 0, updatedAt: 0, secret: null };
  const remotes: RemoteWithSecret[] = [
    { ...base, name: 'C-FIND', kind: 'dimse', hasSecret: false, config: DimseRemoteConfigSchema.parse({ aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort }) },
    { ...base, name: 'QIDO-RS', kind: 'dicomweb', hasSecret: false, config: DicomwebRemoteConfigSchema.parse({ baseUrl: `${orthanc.url}/dicom-web` }) },
  ];
  const deps = { library: { select: async () => files }, verdicts: { verdictsOf: async () => new Map() }, clock: { now: () => Date.now() }, listerFor };
  const seconds: Record<string, number[]> = { 'C-FIND': [], 'QIDO-RS': [] };
  for (let r = 0; r < rounds; r++) {
    for (const remote of remotes) {
      const t = performance.now();
      const result = await crossCheck(deps, { remote, selection: {} });
      seconds[remote.name]!.push((performance.now() - t) / 1000);
      if (!result.allListed || result.totals.listed !== made.length) throw new Error(`${remote.name}: listed ${result.totals.listed} of ${made.length} (${result.studies.find((s) => s.error)?.error ?? ''})`);
    }
  }
  const best = (k: string) => Math.min(...seconds[k]!);
  console.log(`\nListing ${studies} studies (${made.length} instances), best of ${rounds}:`);
  console.log(
    table([
      ['via', 'seconds', 'studies/s', 'instances/s'],
      ...Object.keys(seconds).map((k) => [k, fmt(best(k), 2), fmt(studies / best(k)), fmt(made.length / best(k), 0)]),
    ]),
  );
  console.log(`QIDO-RS / C-FIND time: ${fmt(best('QIDO-RS') / best('C-FIND'), 2)}`);
} finally {
  await orthanc.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
