import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findStudyInstances, type FindStudyOptions } from '../../../src-main/core/dimse/find-scu';
import { getInstances, type GetOptions } from '../../../src-main/core/dimse/get-scu';
import { storeInstances } from '../../../src-main/core/dimse/store-scu';
import { DimseError } from '../../../src-main/core/dimse/types';
import { randomUid, TS } from '../../support/dicom-writer';
import { makeLibrary, tempDir, type GeneratedInstance } from '../../support/fixtures';
import { startOrthanc, type OrthancHandle } from '../../support/orthanc';
import { LOOPBACK } from './dimse-fixtures';
import { dataSetOf, itemsOf, JPEG_BASELINE_FILE, orthancFile, pixelDataOf } from './store-fixtures';

// Debian's DCMTK build leaves Nagle's algorithm on unless TCP_NODELAY=1 is in the environment;
// Orthanc inherits it from this test process, so storing the fixtures takes seconds, not minutes.
process.env.TCP_NODELAY = '1';

const dir = tempDir('safekeep-find-get-');
const JPEG_STUDY = '1.2.826.0.1.3680043.8.1055.1.20111103111148288.98361414.79379639';
let orthanc: OrthancHandle;
let study: GeneratedInstance[];
let other: GeneratedInstance[];
let big: GeneratedInstance[];

beforeAll(async () => {
  orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', LOOPBACK, 104] } });
  study = makeLibrary(path.join(dir, 'study'), { studies: 1, seriesPerStudy: 2, instancesPerSeries: 4, pixelBytes: 64 * 1024 });
  other = makeLibrary(path.join(dir, 'other'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 3, extra: { transferSyntax: 'implicit-le' } });
  big = makeLibrary(path.join(dir, 'big'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 600, pixelBytes: 16 });
  const r = await storeInstances({
    callingAeTitle: 'SAFEKEEP',
    called: { aeTitle: orthanc.aeTitle, host: LOOPBACK, port: orthanc.dicomPort },
    items: [...itemsOf(study), ...itemsOf(other, TS.implicitLE), ...itemsOf(big), JPEG_BASELINE_FILE],
    timeoutMs: 10_000,
  });
  expect(r.counts.stored).toBe(612);
});
afterAll(async () => {
  await orthanc?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const find = (o: Partial<FindStudyOptions> & { studyInstanceUid: string }) =>
  findStudyInstances({ callingAeTitle: 'SAFEKEEP', called: { aeTitle: orthanc.aeTitle, host: LOOPBACK, port: orthanc.dicomPort }, timeoutMs: 10_000, ...o });
const get = (o: Partial<GetOptions> & Pick<GetOptions, 'studyInstanceUid' | 'seriesInstanceUid' | 'storage'>) =>
  getInstances({ callingAeTitle: 'SAFEKEEP', called: { aeTitle: orthanc.aeTitle, host: LOOPBACK, port: orthanc.dicomPort }, timeoutMs: 10_000, ...o });

describe('C-FIND (Study Root, IMAGE level) against a real Orthanc', () => {
  test('lists exactly the stored instances of a study, with SOP class and series', async () => {
    const r = await find({ studyInstanceUid: study[0]!.studyUid });
    expect(r.status).toEqual({ code: 0, class: 'success', text: '0000H Success' });
    expect(r.cancelled).toBe(false);
    const sort = (xs: { sopInstanceUid: string }[]) => [...xs].sort((a, b) => a.sopInstanceUid.localeCompare(b.sopInstanceUid));
    expect(sort(r.instances)).toEqual(
      sort(study.map((i) => ({ sopInstanceUid: i.sopInstanceUid, sopClassUid: i.sopClassUid, seriesInstanceUid: i.seriesUid }))),
    );
    expect((await find({ studyInstanceUid: other[0]!.studyUid })).instances.map((i) => i.sopInstanceUid).sort()).toEqual(other.map((i) => i.sopInstanceUid).sort());
  });

  test('a study the archive does not hold: success, nothing listed', async () => {
    const r = await find({ studyInstanceUid: randomUid() });
    expect(r.status?.class).toBe('success');
    expect(r.instances).toEqual([]);
  });

  test('cancelled after the first match: C-CANCEL, and the archive ends the listing with FE00H', async () => {
    const stop = new AbortController();
    const r = await find({ studyInstanceUid: big[0]!.studyUid, signal: stop.signal, onInstance: () => stop.abort() });
    expect(r.cancelled).toBe(true);
    expect(r.status).toEqual({ code: 0xfe00, class: 'cancel', text: 'FE00H Cancel: Matching terminated due to Cancel request' });
    expect(r.instances.length).toBeGreaterThan(0);
    expect(r.instances.length).toBeLessThan(600);
  });

  test('a calling AE Orthanc does not know: a DimseError that says so', async () => {
    const err = await find({ studyInstanceUid: study[0]!.studyUid, callingAeTitle: 'STRANGER' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DimseError);
    expect((err as DimseError).message).toMatch(/^ORTHANC ended the association instead of answering the C-FIND request: it may not know calling AE title STRANGER/);
  });

  test('an archive that goes silent after the association: a timeout at the idle deadline', async () => {
    // A relay that passes the A-ASSOCIATE-RQ (the client's first write) and every answer, then swallows
    // what the client sends: the C-FIND-RQ never reaches Orthanc.
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((inbound) => {
      const outbound = net.connect({ host: LOOPBACK, port: orthanc.dicomPort });
      for (const sock of [inbound, outbound]) {
        sockets.add(sock);
        sock.on('error', () => sock.destroy());
      }
      outbound.on('data', (d) => inbound.write(d));
      inbound.once('data', (d) => outbound.write(d));
    });
    await new Promise<void>((r) => relay.listen(0, LOOPBACK, () => r()));
    try {
      const err = await findStudyInstances({
        callingAeTitle: 'SAFEKEEP',
        called: { aeTitle: orthanc.aeTitle, host: LOOPBACK, port: (relay.address() as net.AddressInfo).port },
        studyInstanceUid: study[0]!.studyUid,
        timeoutMs: 10_000,
        idleTimeoutMs: 1_000,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DimseError);
      expect((err as DimseError).kind).toBe('timeout');
      expect((err as DimseError).message).toBe('no response from ORTHANC for 1000 ms');
    } finally {
      for (const sock of sockets) sock.destroy();
      relay.close();
    }
  });
});

describe('C-GET against a real Orthanc', () => {
  test('one instance: the data set Orthanc stored, in the local transfer syntax, with the final counts', async () => {
    const i = study[0]!;
    const r = await get({ studyInstanceUid: i.studyUid, seriesInstanceUid: i.seriesUid, sopInstanceUids: [i.sopInstanceUid], storage: [{ sopClassUid: i.sopClassUid, transferSyntaxUid: TS.explicitLE }] });
    expect(r).toMatchObject({ status: { code: 0, class: 'success' }, completed: 1, failed: 0, warning: 0, failedInstanceUids: [], cancelled: false });
    expect(r.instances).toHaveLength(1);
    expect(r.instances[0]).toMatchObject({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, transferSyntaxUid: TS.explicitLE });
    expect(r.instances[0]!.dataSet.equals(dataSetOf(await orthancFile(orthanc, i.sopInstanceUid)))).toBe(true);
    expect(r.instances[0]!.dataSet.equals(dataSetOf(i.path))).toBe(true);
  });

  test('a JPEG Baseline instance comes back untranscoded: pixel data byte-identical to the local file', async () => {
    const r = await get({
      studyInstanceUid: JPEG_STUDY,
      seriesInstanceUid: '',
      sopInstanceUids: [JPEG_BASELINE_FILE.sopInstanceUid],
      storage: [{ sopClassUid: JPEG_BASELINE_FILE.sopClassUid, transferSyntaxUid: JPEG_BASELINE_FILE.transferSyntaxUid }],
    });
    expect(r.completed).toBe(1);
    const got = r.instances[0]!;
    expect(got.transferSyntaxUid).toBe(JPEG_BASELINE_FILE.transferSyntaxUid);
    expect(got.dataSet.equals(dataSetOf(await orthancFile(orthanc, JPEG_BASELINE_FILE.sopInstanceUid)))).toBe(true);
    const meta = fs.readFileSync(JPEG_BASELINE_FILE.path).subarray(0, fs.readFileSync(JPEG_BASELINE_FILE.path).length - dataSetOf(JPEG_BASELINE_FILE.path).length);
    expect(pixelDataOf(Buffer.concat([meta, got.dataSet])).equals(pixelDataOf(JPEG_BASELINE_FILE.path))).toBe(true);
  });

  test('a whole series on one association, each instance handed over as it arrives', async () => {
    const series = study.filter((i) => i.seriesUid === study[0]!.seriesUid);
    const seen: string[] = [];
    const r = await get({
      studyInstanceUid: series[0]!.studyUid,
      seriesInstanceUid: series[0]!.seriesUid,
      storage: [{ sopClassUid: series[0]!.sopClassUid, transferSyntaxUid: TS.explicitLE }],
      onInstance: (x) => {
        const local = series.find((i) => i.sopInstanceUid === x.sopInstanceUid);
        if (local && x.dataSet.equals(dataSetOf(local.path))) seen.push(x.sopInstanceUid);
      },
    });
    expect(r).toMatchObject({ status: { class: 'success' }, completed: 4, failed: 0, instances: [] });
    expect(seen.sort()).toEqual(series.map((i) => i.sopInstanceUid).sort());
  });

  test('an instance Safekeep cannot keep is answered A700H, and the archive counts it failed', async () => {
    const i = study[1]!;
    const r = await get({
      studyInstanceUid: i.studyUid,
      seriesInstanceUid: i.seriesUid,
      sopInstanceUids: [i.sopInstanceUid],
      storage: [{ sopClassUid: i.sopClassUid }],
      onInstance: () => {
        throw new Error('disk full');
      },
    });
    expect(r.completed).toBe(0);
    expect(r.failed).toBe(1);
    // Orthanc: every sub-operation failed.
    expect(r.status).toEqual({ code: 0xa702, class: 'failure', text: 'A702H Refused: Out of Resources - Unable to perform sub-operations' });
    expect(r.failedInstanceUids).toEqual([i.sopInstanceUid]);
  });

  test('a calling AE Orthanc does not know: a DimseError that says so', async () => {
    const i = study[0]!;
    const err = await get({ studyInstanceUid: i.studyUid, seriesInstanceUid: i.seriesUid, storage: [{ sopClassUid: i.sopClassUid }], callingAeTitle: 'STRANGER' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DimseError);
    expect((err as DimseError).message).toMatch(/^ORTHANC ended the association instead of answering the C-GET request: it may not know calling AE title STRANGER/);
  });
});
