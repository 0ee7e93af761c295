import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoreOutcome } from '../../../src-shared/store-outcome';
import { randomUid, writeDicomFile } from '../../support/dicom-writer';
import { CT_IMAGE, makeLibrary, tempDir, type GeneratedInstance } from '../../support/fixtures';
import { startOrthanc, type OrthancHandle } from '../../support/orthanc';
import { studiesServices } from '../../support/studies-services';

const kinds = (outcomes: Map<string, StoreOutcome>) => {
  const n: Record<string, number> = {};
  for (const o of outcomes.values()) n[o.kind] = (n[o.kind] ?? 0) + 1;
  return n;
};

/** STOW-RS against Orthanc's DICOMweb plugin (Debian orthanc-dicomweb 1.7). */
describe('STOW-RS client against Orthanc', () => {
  let dir: string;
  let orthanc: OrthancHandle;
  let instances: GeneratedInstance[];
  const base = () => `${orthanc.url}/dicom-web`;

  beforeAll(async () => {
    dir = tempDir();
    instances = makeLibrary(path.join(dir, 'lib'), { studies: 2, seriesPerStudy: 3, instancesPerSeries: 5, pixelBytes: 8192 });
    orthanc = await startOrthanc({ modalities: {}, dicomWeb: true, config: { MaximumPatientCount: 3 } });
  });
  afterAll(async () => {
    await orthanc?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    for (const p of await orthanc.rest<string[]>('GET', '/patients')) {
      await orthanc.rest('PUT', `/patients/${p}/protected`, '0');
      await orthanc.rest('DELETE', `/patients/${p}`);
    }
  });

  it('stores 30 files in 3 requests of 10, and Orthanc holds exactly them', async () => {
    const { stow } = studiesServices(base());
    const seen: number[] = [];
    const r = await stow.store(instances, { maxInstancesPerRequest: 10, onRequest: (s) => void seen.push(s.instances) });
    expect(r.stoppedBy).toBeNull();
    expect(seen).toEqual([10, 10, 10]);
    expect(r.requests.map((q) => q.httpStatus)).toEqual([200, 200, 200]);
    expect(r.requests[0]!.summary).toBe('HTTP 200 OK (all instances stored)');
    expect(kinds(r.outcomes)).toEqual({ stored: 30 });
    expect([...r.outcomes.values()].every((o) => o.kind === 'stored' && o.warning === null)).toBe(true);
    const ids = await orthanc.rest<string[]>('GET', '/instances');
    const uids = await Promise.all(ids.map(async (id) => (await orthanc.rest<{ MainDicomTags: { SOPInstanceUID: string } }>('GET', `/instances/${id}`)).MainDicomTags.SOPInstanceUID));
    expect(uids.sort()).toEqual(instances.map((i) => i.sopInstanceUid).sort());
  });

  it('cuts requests at the byte cap, a larger file going alone', async () => {
    const { stow } = studiesServices(base());
    const sizes = instances.slice(0, 5).map((i) => fs.statSync(i.path).size); // UIDs vary in length by a few bytes
    const r = await stow.store(instances.slice(0, 5), { maxInstancesPerRequest: 10, maxBytesPerRequest: Math.max(...sizes) * 2 });
    expect(r.requests.map((q) => q.instances)).toEqual([2, 2, 1]);
    expect(r.requests[0]!.bytes).toBe(sizes[0]! + sizes[1]!);
    const alone = await stow.store(instances.slice(5, 7), { maxBytesPerRequest: 10 });
    expect(alone.requests.map((q) => q.instances)).toEqual([1, 1]);
    expect(kinds(alone.outcomes)).toEqual({ stored: 2 });
  });

  it('reports an instance Orthanc refuses in words (no Series Instance UID: C000H cannot understand), and stores the rest', async () => {
    const { stow } = studiesServices(base());
    const bad = path.join(dir, 'no-series.dcm');
    const badUid = randomUid();
    writeDicomFile(bad, { sopClassUid: CT_IMAGE, sopInstanceUid: badUid, studyUid: instances[0]!.studyUid, seriesUid: randomUid(), omit: ['seriesUid'], pixelBytes: 512 });
    // checkFiles: false pushes the file to the archive (the send-time check would stop it first).
    const r = await stow.store([instances[0]!, { path: bad, sopInstanceUid: badUid, sopClassUid: CT_IMAGE }], { checkFiles: false });
    expect(r.outcomes.get(badUid)).toEqual({ kind: 'failed', reason: 'C000H Cannot understand', code: 0xc000, httpStatus: 400, transient: false });
    expect(r.outcomes.get(instances[0]!.sopInstanceUid)).toEqual({ kind: 'stored', warning: null });
    // Orthanc answers 400 ("nothing stored") while listing the good instance as stored: the request says so.
    expect(r.requests[0]!.summary).toBe('HTTP 400 Bad Request (no instance stored: bad syntax)');
    expect(r.requests[0]!.note).toMatch(/HTTP 400 Bad Request says no instance was stored, yet the answer lists 1 as stored/);
    expect(await orthanc.rest<string[]>('GET', '/instances')).toHaveLength(1);
  });

  it('does not send a file that changed since the scan, and says why', async () => {
    const { stow } = studiesServices(base());
    const moved = path.join(dir, 'changed.dcm');
    fs.copyFileSync(instances[1]!.path, moved);
    const r = await stow.store([instances[0]!, { ...instances[2]!, path: moved }]);
    expect(r.outcomes.get(instances[2]!.sopInstanceUid)).toEqual({
      kind: 'not-sent',
      reason: `File changed since the scan: its SOP Instance UID is now ${instances[1]!.sopInstanceUid} (indexed: ${instances[2]!.sopInstanceUid})`,
    });
    expect(r.outcomes.get(instances[0]!.sopInstanceUid)?.kind).toBe('stored');
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0]!.instances).toBe(1);
  });

  it('does not send a file whose Pixel Data is cut short (the archive would keep a broken object)', async () => {
    const { stow } = studiesServices(base());
    const cut = path.join(dir, 'cut.dcm');
    const whole = fs.readFileSync(instances[3]!.path);
    fs.writeFileSync(cut, whole.subarray(0, whole.length - 1000));
    const r = await stow.store([{ ...instances[3]!, path: cut }]);
    expect(r.outcomes.get(instances[3]!.sopInstanceUid)).toEqual({ kind: 'not-sent', reason: 'Not sent: Pixel Data truncated: declares 8192 bytes, the file has 7192' });
    expect(r.requests).toHaveLength(0);
    expect(await orthanc.rest<string[]>('GET', '/instances')).toHaveLength(0);
  });

  it('a full archive (Orthanc cannot recycle a protected patient) answers 200 without listing the instances: unconfirmed, never stored', async () => {
    const { stow } = studiesServices(base());
    // MaximumPatientCount is 3: three other patients fill it, and protected, they cannot be recycled.
    const ids = [0, 1, 2].map((i) => {
      const inst = { path: path.join(dir, `full-${i}.dcm`), sopClassUid: CT_IMAGE, sopInstanceUid: randomUid(), studyUid: randomUid(), seriesUid: randomUid() };
      writeDicomFile(inst.path, { ...inst, patientId: `FULL${i}`, patientName: `FULL^${i}`, pixelBytes: 256 });
      return inst;
    });
    expect(kinds((await stow.store(ids)).outcomes)).toEqual({ stored: 3 });
    for (const p of await orthanc.rest<string[]>('GET', '/patients')) await orthanc.rest('PUT', `/patients/${p}/protected`, '1');
    const r = await stow.store(instances.slice(0, 3));
    expect(r.requests[0]!.httpStatus).toBe(200);
    expect(kinds(r.outcomes)).toEqual({ unconfirmed: 3 });
    expect(r.outcomes.get(instances[0]!.sopInstanceUid)).toEqual({
      kind: 'unconfirmed',
      httpStatus: 200,
      reason: 'HTTP 200 OK (all instances stored), but the answer does not list this instance',
    });
    expect(orthanc.logTail()).toMatch(/file storage is full/i);
  });

  it('Orthanc killed after the first request: the rest are "not sent" and sending stops', async () => {
    const { stow } = studiesServices(base(), { timeoutSeconds: 5 });
    try {
      const r = await stow.store(instances.slice(0, 6), {
        maxInstancesPerRequest: 2,
        concurrency: 1,
        onRequest: async (s) => {
          if (s.index === 1) await orthanc.kill();
        },
      });
      expect(r.requests).toHaveLength(2);
      expect(r.requests[1]!.httpStatus).toBeNull();
      expect(r.stoppedBy?.name).toBe('TransportError');
      expect(kinds(r.outcomes)).toEqual({ stored: 2, 'not-sent': 4 });
      const refused = r.outcomes.get(instances[2]!.sopInstanceUid);
      expect(refused).toMatchObject({ kind: 'not-sent' });
      expect((refused as { reason: string }).reason).toMatch(/^Not sent: Connection refused by http:\/\/127\.0\.0\.1:\d+\/dicom-web\/studies/);
      expect((r.outcomes.get(instances[5]!.sopInstanceUid) as { reason: string }).reason).toMatch(/^Not sent: Connection refused/);
    } finally {
      await orthanc.restart();
    }
  });
});
