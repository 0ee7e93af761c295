import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { storeInstances, type StoreItem, type StoreOptions, type StoreProgress } from '../../../src-main/core/dimse/store-scu';
import { DimseError } from '../../../src-main/core/dimse/types';
import { randomUid, TS } from '../../support/dicom-writer';
import { CT_IMAGE, makeLibrary, tempDir } from '../../support/fixtures';
import { startOrthanc, type OrthancHandle } from '../../support/orthanc';
import { LOOPBACK } from './dimse-fixtures';
import {
  CT_SMALL_FILE,
  dataSetOf,
  itemsOf,
  JPEG_2000_FILE,
  JPEG_BASELINE_FILE,
  orthancFile,
  orthancInstanceId,
  orthancSopInstanceUids,
  MR_BIG_ENDIAN_FILE,
  pixelDataOf,
  writeFileWithoutInstanceUidInDataSet,
} from './store-fixtures';

const dir = tempDir('safekeep-store-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function options(orthanc: OrthancHandle, items: StoreItem[], extra: Partial<StoreOptions> = {}): StoreOptions {
  return {
    callingAeTitle: 'SAFEKEEP',
    called: { aeTitle: orthanc.aeTitle, host: LOOPBACK, port: orthanc.dicomPort },
    items,
    timeoutMs: 10_000,
    ...extra,
  };
}

describe('C-STORE to a real Orthanc', () => {
  let orthanc: OrthancHandle;
  beforeAll(async () => {
    orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', LOOPBACK, 104] } });
  });
  afterAll(async () => {
    await orthanc?.stop();
  });

  test('50 files and two compressed ones on one association: Orthanc holds data sets identical to the files', async () => {
    const explicit = makeLibrary(path.join(dir, 'many-e'), { studies: 1, seriesPerStudy: 2, instancesPerSeries: 20, pixelBytes: 64 * 1024 });
    const implicit = makeLibrary(path.join(dir, 'many-i'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 10, pixelBytes: 64 * 1024, extra: { transferSyntax: 'implicit-le' } });
    const items = [...itemsOf(explicit), ...itemsOf(implicit, TS.implicitLE), JPEG_BASELINE_FILE, JPEG_2000_FILE];
    const progress: StoreProgress[] = [];
    const r = await storeInstances(options(orthanc, items, { onProgress: (p) => progress.push(p) }));

    expect(r.associations).toBe(1);
    expect(r.error).toBeUndefined();
    expect(r.counts).toEqual({ stored: 52, failed: 0, refused: 0, 'file-problem': 0, 'not-sent': 0 });
    r.results.forEach((res, i) => {
      expect(res.index).toBe(i);
      // Each went in its own transfer syntax, not re-encoded.
      expect(res.outcome).toEqual({ kind: 'stored', status: 0, text: '0000H Success', warning: false, transferSyntaxUid: items[i]!.transferSyntaxUid, reencoded: false });
    });
    const dataSetBytes = items.reduce((n, it) => n + dataSetOf(it.path).length, 0);
    expect(progress.map((p) => p.done)).toEqual(items.map((_, i) => i + 1));
    expect(progress.at(-1)).toEqual({ done: 52, total: 52, stored: 52, bytesSent: dataSetBytes });
    expect(r.bytesSent).toBe(dataSetBytes);

    expect(await orthancSopInstanceUids(orthanc)).toEqual(items.map((i) => i.sopInstanceUid).sort());
    for (const it of items.slice(0, 50)) {
      const stored = dataSetOf(await orthancFile(orthanc, it.sopInstanceUid));
      expect(stored.equals(dataSetOf(it.path)), `data set of ${path.basename(it.path)}`).toBe(true);
    }
    // Orthanc (DCMTK) rewrites undefined-length sequences of the pydicom samples; their pixel data stays as sent.
    for (const it of [JPEG_BASELINE_FILE, JPEG_2000_FILE]) {
      const stored = pixelDataOf(await orthancFile(orthanc, it.sopInstanceUid));
      expect(stored.length).toBeGreaterThan(200);
      expect(stored.equals(pixelDataOf(it.path)), `pixel data of ${path.basename(it.path)}`).toBe(true);
    }
  });

  test('a file changed since the scan, cut short or no longer DICOM is not sent; the archive failing one is a failure in words; the rest are stored', async () => {
    const lib = makeLibrary(path.join(dir, 'problems'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 4, pixelBytes: 4096 });
    const items = itemsOf(lib);
    items[1] = { ...items[1]!, sopInstanceUid: randomUid() }; // the index knows another instance under this path
    fs.truncateSync(items[2]!.path, fs.statSync(items[2]!.path).size - 1000);
    const orphan = { sopClassUid: CT_IMAGE, sopInstanceUid: randomUid(), studyUid: randomUid(), seriesUid: randomUid(), pixelBytes: 512 };
    const orphanPath = path.join(dir, 'no-uid-in-data-set.dcm');
    writeFileWithoutInstanceUidInDataSet(orphanPath, orphan);
    items.push({ path: orphanPath, sopClassUid: CT_IMAGE, sopInstanceUid: orphan.sopInstanceUid, transferSyntaxUid: TS.explicitLE });
    const notDicom = path.join(dir, 'notes.txt');
    fs.writeFileSync(notDicom, 'not a DICOM file at all, but long enough to be looked at '.repeat(10));
    items.push({ path: notDicom, sopClassUid: CT_IMAGE, sopInstanceUid: randomUid(), transferSyntaxUid: null });

    const r = await storeInstances(options(orthanc, items));
    expect(r.results.map((x) => x.outcome.kind)).toEqual(['stored', 'file-problem', 'file-problem', 'stored', 'failed', 'file-problem']);
    expect(r.results[1]!.outcome).toEqual({
      kind: 'file-problem',
      text: `file changed since the scan: its SOP Instance UID is now ${lib[1]!.sopInstanceUid} (indexed: ${items[1]!.sopInstanceUid})`,
    });
    expect(r.results[2]!.outcome).toEqual({ kind: 'file-problem', text: 'file incomplete: Pixel Data truncated: declares 4096 bytes, the file has 3096' });
    expect(r.results[5]!.outcome).toEqual({
      kind: 'file-problem',
      text: 'file no longer readable as DICOM (not-dicom): No DICOM Part 10 signature and not a recognisable data set',
    });
    // Orthanc cannot find the SOP Instance UID in the data set it received (StoreScp.cpp: Cannot understand).
    expect(r.results[4]!.outcome).toEqual({ kind: 'failed', status: 0xc000, text: 'C000H Error: Cannot understand' });
    expect(await orthancInstanceId(orthanc, lib[0]!.sopInstanceUid)).toBeDefined();
    expect(await orthancInstanceId(orthanc, lib[1]!.sopInstanceUid)).toBeUndefined();
    expect(await orthancInstanceId(orthanc, lib[3]!.sopInstanceUid)).toBeDefined();
  });

  test('cancelled by its AbortSignal: what was confirmed stays stored, the rest is not sent', async () => {
    const lib = makeLibrary(path.join(dir, 'cancel'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 20, pixelBytes: 4096 });
    const stop = new AbortController();
    const r = await storeInstances(options(orthanc, itemsOf(lib), { signal: stop.signal, onProgress: (p) => p.done === 5 && stop.abort() }));
    expect(r.cancelled).toBe(true);
    expect(r.counts).toMatchObject({ stored: 5, 'not-sent': 15 });
    expect(r.results.slice(5).map((x) => x.outcome)).toEqual(Array(15).fill({ kind: 'not-sent', text: 'not sent: cancelled' }));
    const held = new Set(await orthancSopInstanceUids(orthanc));
    expect(lib.filter((i) => held.has(i.sopInstanceUid)).map((i) => i.sopInstanceUid)).toEqual(lib.slice(0, 5).map((i) => i.sopInstanceUid));
  });
});

describe('C-STORE to an Orthanc that is killed mid-send', () => {
  let orthanc: OrthancHandle;
  beforeAll(async () => {
    orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', LOOPBACK, 104] } });
  });
  afterAll(async () => {
    await orthanc?.stop();
  });

  test('the instances not confirmed are reported not sent, and the next round sends exactly those', async () => {
    const lib = makeLibrary(path.join(dir, 'killed'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 40, pixelBytes: 256 * 1024 });
    const items = itemsOf(lib);
    const r = await storeInstances(options(orthanc, items, { onProgress: (p) => p.done === 10 && void orthanc.kill() }));

    expect(r.error).toBeInstanceOf(DimseError);
    expect(r.cancelled).toBe(false);
    const kinds = r.results.map((x) => x.outcome.kind);
    const confirmed = kinds.indexOf('not-sent');
    expect(confirmed).toBeGreaterThanOrEqual(10);
    expect(kinds).toEqual([...Array(confirmed).fill('stored'), ...Array(40 - confirmed).fill('not-sent')]);
    for (const x of r.results.slice(confirmed)) expect(x.outcome.kind === 'not-sent' && x.outcome.text).toMatch(new RegExp(`^(sent, but not confirmed by ORTHANC|not sent): .*${orthanc.aeTitle}`));

    await orthanc.restart();
    const held = new Set(await orthancSopInstanceUids(orthanc));
    for (const i of lib.slice(0, confirmed)) expect(held.has(i.sopInstanceUid)).toBe(true);
    const again = await storeInstances(options(orthanc, r.results.filter((x) => x.outcome.kind === 'not-sent').map((x) => x.item)));
    expect(again.counts).toMatchObject({ stored: 40 - confirmed, 'not-sent': 0 });
    expect(await orthancSopInstanceUids(orthanc)).toEqual(lib.map((i) => i.sopInstanceUid).sort());
  });
});

describe('C-STORE to an Orthanc that takes only Implicit VR Little Endian and the SOP classes it knows', () => {
  let orthanc: OrthancHandle;
  let reference: OrthancHandle;
  beforeAll(async () => {
    [orthanc, reference] = await Promise.all([
      startOrthanc({
        modalities: { safekeep: ['SAFEKEEP', LOOPBACK, 104] },
        config: { AcceptedTransferSyntaxes: [TS.implicitLE], UnknownSopClassAccepted: false },
      }),
      startOrthanc({ modalities: {} }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([orthanc?.stop(), reference?.stop()]);
  });

  test('a refused SOP class or transfer syntax is reported per instance in words; Explicit VR files are re-encoded, nothing lost', async () => {
    const privateClass = makeLibrary(path.join(dir, 'private'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 1, sopClassUid: '1.2.826.0.1.3680043.10.1089.99.1' });
    const r = await storeInstances(options(orthanc, [...itemsOf(privateClass), JPEG_BASELINE_FILE, CT_SMALL_FILE, MR_BIG_ENDIAN_FILE]));
    const reencoded = { kind: 'stored', status: 0, text: '0000H Success', warning: false, transferSyntaxUid: TS.implicitLE, reencoded: true };
    expect(r.results.map((x) => x.outcome)).toEqual([
      {
        kind: 'refused',
        text: 'the archive does not accept SOP class 1.2.826.0.1.3680043.10.1089.99.1 in transfer syntax 1.2.840.10008.1.2.1 (Explicit VR Little Endian) (nor in 1.2.840.10008.1.2 (Implicit VR Little Endian))',
      },
      {
        kind: 'refused',
        text: 'the archive does not accept SOP class 1.2.840.10008.5.1.4.1.1.7 (Secondary Capture Image Storage) in transfer syntax 1.2.840.10008.1.2.4.50 (JPEG Baseline (Process 1))',
      },
      reencoded,
      reencoded,
    ]);
    // The re-encoded files (a GE CT with private groups; a big endian MR) have the same attributes
    // and values as the originals, as Orthanc reads both.
    for (const file of [CT_SMALL_FILE, MR_BIG_ENDIAN_FILE]) {
      expect((await fetch(`${reference.url}/instances`, { method: 'POST', body: fs.readFileSync(file.path) })).ok).toBe(true);
      const tags = async (o: OrthancHandle) => o.rest<Record<string, unknown>>('GET', `/instances/${await orthancInstanceId(o, file.sopInstanceUid)}/tags`);
      const [mine, theirs] = [await tags(orthanc), await tags(reference)];
      expect(Object.keys(mine).length).toBeGreaterThan(40);
      expect(mine).toEqual(theirs);
      // Same pixel values: a big endian original holds its 16-bit pixels byte-swapped.
      const original = Buffer.from(pixelDataOf(file.path));
      if (file === MR_BIG_ENDIAN_FILE) original.swap16();
      expect(pixelDataOf(await orthancFile(orthanc, file.sopInstanceUid)).equals(original)).toBe(true);
      const id = await orthancInstanceId(orthanc, file.sopInstanceUid);
      expect(await orthanc.rest('GET', `/instances/${id}/metadata/TransferSyntax`)).toBe(TS.implicitLE);
    }
  });
});

describe('C-STORE to an Orthanc whose storage is full, and that knows only some calling AEs', () => {
  let orthanc: OrthancHandle;
  beforeAll(async () => {
    orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', LOOPBACK, 104] }, config: { MaximumPatientCount: 1, DicomAlwaysAllowStore: false } });
  });
  afterAll(async () => {
    await orthanc?.stop();
  });

  test('one patient allowed, and it is protected: A700H Refused: Out of Resources', async () => {
    const first = makeLibrary(path.join(dir, 'first'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 1 });
    expect((await storeInstances(options(orthanc, itemsOf(first)))).counts.stored).toBe(1);
    const pats = await orthanc.rest<string[]>('GET', '/patients');
    await orthanc.rest('PUT', `/patients/${pats[0]}/protected`, '1');
    const other = makeLibrary(path.join(dir, 'full'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 2, extra: { patientId: 'OTHER' } });
    const r = await storeInstances(options(orthanc, itemsOf(other)));
    expect(r.results.map((x) => x.outcome)).toEqual(Array(2).fill({ kind: 'failed', status: 0xa700, text: 'A700H Refused: Out of Resources' }));
    expect(r.error).toBeUndefined();
  });
  test('a calling AE title Orthanc does not know: a DimseError that says so, nothing sent', async () => {
    const lib = makeLibrary(path.join(dir, 'stranger'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 1 });
    const err = await storeInstances(options(orthanc, itemsOf(lib), { callingAeTitle: 'STRANGER' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DimseError);
    expect((err as DimseError).kind).toBe('rejected');
    expect((err as DimseError).message).toBe('association rejected by ORTHANC (calling AE title not recognized, permanent)');
  });
});
