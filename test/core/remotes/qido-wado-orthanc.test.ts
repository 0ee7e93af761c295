import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareContent } from '../../../src-main/core/compare/compare';
import { DicomwebHttpError } from '../../../src-main/core/remotes/dicomweb-errors';
import { makeLibrary, tempDir, type GeneratedInstance } from '../../support/fixtures';
import { startOrthanc, type OrthancHandle } from '../../support/orthanc';
import { studiesServices } from '../../support/studies-services';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const JPEG_LS = '1.2.840.10008.1.2.4.80';

/** QIDO-RS and WADO-RS against Orthanc's DICOMweb plugin, and the content comparison of what WADO-RS returns. */
describe('QIDO-RS and WADO-RS against Orthanc', () => {
  let dir: string;
  let orthanc: OrthancHandle;
  let studyA: GeneratedInstance[];
  let studyB: GeneratedInstance[];
  let services: ReturnType<typeof studiesServices>;

  beforeAll(async () => {
    dir = tempDir();
    const lib = makeLibrary(path.join(dir, 'lib'), { studies: 2, seriesPerStudy: 3, instancesPerSeries: 9, pixelBytes: 16384 });
    studyA = lib.filter((i) => i.studyUid === lib[0]!.studyUid);
    studyB = lib.filter((i) => i.studyUid !== lib[0]!.studyUid);
    orthanc = await startOrthanc({ modalities: {}, dicomWeb: true });
    services = studiesServices(`${orthanc.url}/dicom-web`);
    // Study A whole, study B without its last 4 instances.
    const r = await services.stow.store([...studyA, ...studyB.slice(0, -4)], { maxInstancesPerRequest: 25 });
    expect([...r.outcomes.values()].every((o) => o.kind === 'stored')).toBe(true);
  });
  afterAll(async () => {
    await orthanc?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('QIDO lists exactly the stored instances of a study, with class and series, across pages', async () => {
    const listed = await services.qido.studyInstances(studyB[0]!.studyUid, { pageSize: 5 });
    const stored = studyB.slice(0, -4);
    expect(listed).toHaveLength(stored.length);
    expect(listed.map((i) => i.sopInstanceUid).sort()).toEqual(stored.map((i) => i.sopInstanceUid).sort());
    for (const l of listed) {
      const local = stored.find((s) => s.sopInstanceUid === l.sopInstanceUid)!;
      expect(l).toEqual({ sopInstanceUid: local.sopInstanceUid, sopClassUid: local.sopClassUid, seriesUid: local.seriesUid });
    }
    // 27 in one page, and in pages of 1000 (the default).
    expect(await services.qido.studyInstances(studyA[0]!.studyUid)).toHaveLength(27);
  });

  it('QIDO of a study the archive does not hold lists nothing', async () => {
    expect(await services.qido.studyInstances('1.2.3.4.5.6.7.8')).toEqual([]);
  });

  it('WADO returns a Part 10 copy that the comparison finds equal to the local file', async () => {
    const inst = studyA[4]!;
    const got = await services.wado.retrieveInstance(inst, { transferSyntax: EXPLICIT_LE });
    expect(got.transferSyntaxUid).toBe(EXPLICIT_LE);
    expect(got.accept).toBe(`multipart/related; type="application/dicom"; transfer-syntax=${EXPLICIT_LE}`);
    expect(compareContent(fs.readFileSync(inst.path), got.bytes)).toEqual({ outcome: 'same', transcoded: null, message: 'Same content' });
  });

  it('WADO asking for JPEG-LS: a transcoded copy, said so, other attributes still compared', async () => {
    const inst = studyA[5]!;
    const got = await services.wado.retrieveInstance(inst, { transferSyntax: JPEG_LS });
    expect(got.transferSyntaxUid).toBe(JPEG_LS);
    const c = compareContent(fs.readFileSync(inst.path), got.bytes);
    expect(c).toMatchObject({ outcome: 'same', transcoded: { from: EXPLICIT_LE, to: JPEG_LS, pixelData: 'not-compared' } });
    expect(c.message).toBe(
      'Same content; transcoded from Explicit VR Little Endian (1.2.840.10008.1.2.1) to JPEG-LS Lossless (1.2.840.10008.1.2.4.80): pixel data not compared byte for byte',
    );
  });

  it('WADO falls back to any transfer syntax when Orthanc cannot produce the one asked for (RLE)', async () => {
    const got = await services.wado.retrieveInstance(studyA[6]!, { transferSyntax: '1.2.840.10008.1.2.5' });
    expect(got.accept).toBe('multipart/related; type="application/dicom"; transfer-syntax=*');
    expect(got.transferSyntaxUid).toBe(EXPLICIT_LE);
  });

  it('WADO of an instance the archive does not hold: typed 404 with Orthanc\'s explanation', async () => {
    const missing = studyB.at(-1)!;
    const err = await services.wado.retrieveInstance(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DicomwebHttpError);
    expect(err).toMatchObject({ service: 'WADO-RS', status: 404 });
    expect((err as DicomwebHttpError).explanation).toMatch(/inexistent/i);
  });

  it('a corrupted stored copy (same UIDs, one value changed through Orthanc\'s REST modify) → "content differs" naming the attribute', async () => {
    const inst = studyA[7]!;
    const [id] = await orthanc.rest<string[]>('POST', '/tools/lookup', inst.sopInstanceUid).then((r) => (r as unknown as { ID: string }[]).map((x) => x.ID));
    const res = await fetch(`${orthanc.url}/instances/${id}/modify`, {
      method: 'POST',
      body: JSON.stringify({ Replace: { PatientName: 'CHANGED^NAME' }, Keep: ['StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID'], Force: true }),
    });
    const modified = Buffer.from(await res.arrayBuffer());
    await orthanc.rest('DELETE', `/instances/${id}`);
    const up = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: modified });
    expect(up.status).toBe(200);
    const got = await services.wado.retrieveInstance(inst, { transferSyntax: EXPLICIT_LE });
    const c = compareContent(fs.readFileSync(inst.path), got.bytes);
    expect(c).toMatchObject({ outcome: 'differs', difference: { tag: '(0010,0010)', keyword: 'PatientName', path: '', local: '"TEST^PATIENT1"', retrieved: '"CHANGED^NAME"' } });
    expect(c.message).toBe('Content differs at PatientName (0010,0010): local "TEST^PATIENT1", archive "CHANGED^NAME"');
  });
});
