/**
 * Compare content (issue 11 §3): Safekeep's C-GET + content comparison of 200 CT-sized files (512 KiB of pixel
 * data each, 2 series) from Orthanc 1.10, against dcmtk `getscu` retrieving the same 200 to disk (no comparison)
 * from the same Orthanc, in ABAB order; and Safekeep's WADO-RS + comparison from Orthanc's DICOMweb plugin.
 * Figures: seconds, instances/s, MB/s, and Safekeep's time over getscu's.
 *
 *   npm run bench verify-content    or    npx tsx bench/verify-content.ts [--files 200] [--rounds 2]
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { retrieverFor } from '../src-main/core/content/retrievers';
import { verifyContent } from '../src-main/core/content/verify-content';
import { setDimseLibraryLogLevel } from '../src-main/core/dimse/lib';
import type { IndexedFile } from '../src-main/core/library/model/files';
import type { RemoteWithSecret } from '../src-main/core/remotes/model/remote';
import { openSqliteStore } from '../src-main/core/store/sqlite-store';
import type { VerdictBrief } from '../src-main/core/store/ports';
import { DicomwebRemoteConfigSchema, DimseRemoteConfigSchema } from '../src-shared/remotes';
import { makeLibrary, tempDir } from '../test/support/fixtures';
import { startOrthanc } from '../test/support/orthanc';
import { arg, fmt, table } from './support';

setDimseLibraryLogLevel('silent');
const run = promisify(execFile);
const count = arg('files', 200);
const rounds = arg('rounds', 2);

const dir = tempDir('safekeep-bench-content-');
const made = makeLibrary(path.join(dir, 'lib'), { studies: 1, seriesPerStudy: 2, instancesPerSeries: Math.ceil(count / 2), pixelBytes: 512 * 1024 });
const files: IndexedFile[] = made.map((i) => {
  const st = fs.statSync(i.path);
  return { ...i, size: st.size, mtimeMs: Math.trunc(st.mtimeMs), patientId: null, accessionNumber: null, studyDate: null };
});
const totalMB = files.reduce((n, f) => n + f.size, 0) / 1e6;
// Debian's DCMTK (Orthanc's DICOM stack) leaves Nagle's algorithm on without this (see bench/send.ts).
process.env.TCP_NODELAY = '1';
const orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', '127.0.0.1', 104] }, dicomWeb: true });
const store = openSqliteStore(path.join(dir, 'data'));
try {
  console.log(`Storing ${made.length} instances (${fmt(totalMB)} MB) into Orthanc ...`);
  await run('storescu', ['-aec', orthanc.aeTitle, '127.0.0.1', String(orthanc.dicomPort), ...made.map((x) => x.path)], { maxBuffer: 1 << 24 });
  const base = { id: 1, createdAt: 0, updatedAt: 0, secret: null };
  const dimse: RemoteWithSecret = { ...base, name: 'C-GET', kind: 'dimse', hasSecret: false, config: DimseRemoteConfigSchema.parse({ aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort, callingAeTitle: 'SAFEKEEP' }) };
  const web: RemoteWithSecret = { ...base, name: 'WADO-RS', kind: 'dicomweb', hasSecret: false, config: DicomwebRemoteConfigSchema.parse({ baseUrl: `${orthanc.url}/dicom-web` }) };
  const committed: VerdictBrief = { outcome: 'committed', failureReason: null, detail: null, jobId: 1 };
  const deps = {
    store: store.content,
    verdicts: { verdictsOf: async () => new Map(files.map((f) => [f.sopInstanceUid, committed])) },
    library: { select: async () => files },
    clock: { now: () => Date.now() },
    retrieverFor,
  };
  const safekeep = async (remote: RemoteWithSecret) => {
    const s = await verifyContent(deps, { remote, selection: {}, sample: 'all' });
    if (s.counts.same !== files.length) throw new Error(`${remote.name}: ${JSON.stringify(s.counts)} ${s.notSame[0]?.text ?? ''}`);
  };
  const getscu = async () => {
    const out = fs.mkdtempSync(path.join(dir, 'getscu-'));
    for (const seriesUid of new Set(files.map((f) => f.seriesUid))) {
      await run('getscu', ['-S', '-aet', 'SAFEKEEP', '-aec', orthanc.aeTitle, '-od', out, '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${files[0]!.studyUid}`, '-k', `SeriesInstanceUID=${seriesUid}`, '127.0.0.1', String(orthanc.dicomPort)]);
    }
    const got = fs.readdirSync(out).length;
    fs.rmSync(out, { recursive: true, force: true });
    if (got !== files.length) throw new Error(`getscu retrieved ${got} of ${files.length}`);
  };
  const ways: Record<string, () => Promise<void>> = { 'Safekeep C-GET + compare': () => safekeep(dimse), 'dcmtk getscu (to disk)': getscu, 'Safekeep WADO-RS + compare': () => safekeep(web) };
  const seconds: Record<string, number[]> = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, way] of Object.entries(ways)) {
      const t = performance.now();
      await way();
      seconds[name]!.push((performance.now() - t) / 1000);
    }
  }
  const best = (k: string) => Math.min(...seconds[k]!);
  console.log(`\nRetrieving ${files.length} instances (${fmt(totalMB)} MB), best of ${rounds}:`);
  console.log(
    table([
      ['way', 'seconds', 'instances/s', 'MB/s'],
      ...Object.keys(seconds).map((k) => [k, fmt(best(k), 2), fmt(files.length / best(k)), fmt(totalMB / best(k))]),
    ]),
  );
  console.log(`Safekeep C-GET + compare / getscu time: ${fmt(best('Safekeep C-GET + compare') / best('dcmtk getscu (to disk)'), 2)}`);
} finally {
  await store.close();
  await orthanc.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
