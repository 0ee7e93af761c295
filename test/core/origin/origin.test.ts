import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tag } from '../../../src-shared/dicom/tags';
import { parseCommitmentResponse } from '../../../src-main/core/codec/response-json';
import { buildCommitmentRequest } from '../../../src-main/core/codec/request-json';
import { buildNativeXml } from '../../../src-main/core/codec/native-xml';
import { flatRefs, getCommitment, postCommitment, randomUid, studyRefs, unknownInstance } from '../../support/commitment';
import { FakeClock, startOrigin, type OriginHarness } from '../../support/origin-harness';
import { MR_IMAGE } from '../../support/fixtures';

const alice = { token: 'alice-secret' };
const bob = { token: 'bob-secret' };

async function json(res: Response): Promise<Record<string, any>> {
  return (await res.json()) as Record<string, any>;
}

describe('DICOMweb commitment origin server', () => {
  let h: OriginHarness;
  const clock = new FakeClock(Date.now());

  beforeAll(async () => {
    h = await startOrigin({ scheduler: clock });
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers 200 with every instance committed (flat form)', async () => {
    const uid = randomUid();
    const res = await postCommitment(h.url, uid, flatRefs(h.instances.slice(0, 4)), alice);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/dicom+json');
    const body = await json(res);
    expect(Object.keys(body)).toEqual([Tag.ReferencedSOPSequence]);
    const result = parseCommitmentResponse(body);
    expect(result.committed.map((i) => i.sopInstanceUid)).toEqual(h.instances.slice(0, 4).map((i) => i.sopInstanceUid));
    expect(result.failed).toEqual([]);
    const stored = (await h.core.incoming.read.get(uid))!;
    expect(stored).toMatchObject({ state: 'done', client: 'alice', source: 'dicomweb', committedCount: 4, failedCount: 0 });
  });

  it('fails each instance with the right Failure Reason', async () => {
    const [ok, wrongClass, truncated, deleted] = h.instances.slice(4, 8) as [any, any, any, any];
    // Damage two files after indexing: the policy re-reads files at commit time.
    const size = fs.statSync(truncated.path).size;
    fs.truncateSync(truncated.path, size - 100);
    fs.rmSync(deleted.path);
    const unknown = unknownInstance();
    const refs = flatRefs([ok, { ...wrongClass, sopClassUid: MR_IMAGE }, truncated, deleted, unknown]);
    const uidTx = randomUid();
    const res = await postCommitment(h.url, uidTx, refs, alice);
    expect(res.status).toBe(200);
    const result = parseCommitmentResponse(await res.json());
    expect(result.committed.map((i) => i.sopInstanceUid)).toEqual([ok.sopInstanceUid]);
    const reasons = Object.fromEntries(result.failed.map((f) => [f.sopInstanceUid, f.failureReason]));
    expect(reasons).toEqual({
      [wrongClass.sopInstanceUid]: 0x0119,
      [truncated.sopInstanceUid]: 0x0110,
      [deleted.sopInstanceUid]: 0x0112,
      [unknown.sopInstanceUid]: 0x0112,
    });
    // The failure is explained per instance in the store, for the Incoming view.
    const rows = (await h.core.incoming.read.instances(uidTx, { limit: 10, offset: 0, outcome: 'failed' })).rows;
    expect(rows.find((r) => r.sopInstanceUid === truncated.sopInstanceUid)!.detail).toMatch(/incomplete/);
  });

  it('mirrors the study form, with Failed Study Sequence nested like Referenced Study Sequence', async () => {
    // The last two instances of study 2 (the test above damaged two of its first ones).
    const study = h.instances.filter((i) => i.studyUid === h.instances[11]!.studyUid).slice(-2);
    const missing = { ...study[0]!, sopInstanceUid: randomUid(), path: '' };
    const refs = studyRefs([...study, missing]);
    const res = await postCommitment(h.url, randomUid(), refs, alice);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(Object.keys(body).sort()).toEqual([Tag.ReferencedStudySequence, Tag.FailedStudySequence].sort());
    const failedStudy = body[Tag.FailedStudySequence].Value[0];
    expect(failedStudy[Tag.StudyInstanceUID].Value).toEqual([missing.studyUid]);
    const series = failedStudy[Tag.ReferencedSeriesSequence].Value[0];
    expect(series[Tag.SeriesInstanceUID].Value).toEqual([missing.seriesUid]);
    const byClass = series[Tag.ReferencedInstancesBySOPClassSequence].Value[0];
    expect(byClass[Tag.ReferencedSOPClassUID].Value).toEqual([missing.sopClassUid]);
    expect(byClass[Tag.ReferencedInstanceSequence].Value[0]).toEqual({
      [Tag.ReferencedSOPInstanceUID]: { vr: 'UI', Value: [missing.sopInstanceUid] },
      [Tag.FailureReason]: { vr: 'US', Value: [0x0112] },
    });
    const result = parseCommitmentResponse(body);
    expect(result.committed.map((i) => i.sopInstanceUid).sort()).toEqual(study.map((i) => i.sopInstanceUid).sort());
    expect(result.committed.every((i) => i.form === 'study' && i.studyUid === missing.studyUid)).toBe(true);
  });

  it('answers each form in its own sequences when a request uses both', async () => {
    const refs = [...flatRefs([h.instances[0]!]), ...studyRefs([h.instances[1]!])];
    const res = await postCommitment(h.url, randomUid(), refs, alice);
    const body = await json(res);
    expect(Object.keys(body).sort()).toEqual([Tag.ReferencedSOPSequence, Tag.ReferencedStudySequence].sort());
  });

  it('speaks XML (Native DICOM Model) both ways', async () => {
    const uid = randomUid();
    const xml = buildNativeXml(buildCommitmentRequest(flatRefs([h.instances[0]!, unknownInstance()])));
    const res = await postCommitment(h.url, uid, null, { ...alice, body: xml, contentType: 'application/dicom+xml', accept: 'application/dicom+xml' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/dicom+xml');
    const text = await res.text();
    expect(text).toContain('<NativeDicomModel');
    expect(text).toMatch(/tag="00081198" vr="SQ" keyword="FailedSOPSequence"/);
    expect(text).toMatch(/<Value number="1">274<\/Value>/);
    // The same result as JSON on a Result Check.
    const get = await getCommitment(h.url, uid, alice);
    const result = parseCommitmentResponse(await get.json());
    expect(result.committed).toHaveLength(1);
    expect(result.failed[0]!.failureReason).toBe(0x0112);
  });

  it('answers 202 with Retry-After when not done within the sync window, then 200 on Result Check', async () => {
    h.core.incoming.config.syncWindowMs = 0;
    try {
      const refs = flatRefs([...h.instances.slice(0, 3), ...Array.from({ length: 3000 }, () => unknownInstance())]);
      const uid = randomUid();
      const res = await postCommitment(h.url, uid, refs, alice);
      expect(res.status).toBe(202);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await res.text()).toBe('');
      let get: Response;
      for (;;) {
        get = await getCommitment(h.url, uid, alice);
        if (get.status !== 202) break;
        expect(Number(get.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(get.status).toBe(200);
      const result = parseCommitmentResponse(await get.json());
      expect(result.committed.map((i) => i.sopInstanceUid)).toEqual(h.instances.slice(0, 3).map((i) => i.sopInstanceUid));
      expect(result.failed).toHaveLength(3000);
      expect(result.failed.every((f) => f.failureReason === 0x0112)).toBe(true);
      // Repeatable: a second Result Check gives the same answer.
      const again = parseCommitmentResponse(await (await getCommitment(h.url, uid, alice)).json());
      expect(again).toEqual(result);
    } finally {
      h.core.incoming.config.syncWindowMs = 2000;
    }
  });

  describe('refuses bad requests with a clear error and keeps what is stored', () => {
    let keptUid: string;
    let keptBody: unknown;
    let countBefore: number;

    beforeAll(async () => {
      keptUid = randomUid();
      const res = await postCommitment(h.url, keptUid, flatRefs(h.instances.slice(0, 2)), alice);
      keptBody = await res.json();
      countBefore = (await h.core.incoming.read.list({ limit: 1, offset: 0 })).total;
    });

    const goodItem = () => ({
      [Tag.ReferencedSOPClassUID]: { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] },
      [Tag.ReferencedSOPInstanceUID]: { vr: 'UI', Value: [randomUid()] },
    });
    const flat = (...items: unknown[]) => JSON.stringify({ [Tag.ReferencedSOPSequence]: { vr: 'SQ', Value: items } });
    const withInstance = (uid: unknown, vr = 'UI') =>
      flat({ ...goodItem(), [Tag.ReferencedSOPInstanceUID]: { vr, Value: [uid] } });
    const dup = goodItem();

    const cases: { name: string; body: string; contentType?: string; expect: RegExp }[] = [
      { name: 'malformed JSON', body: '{"00081199": ', expect: /not valid JSON/ },
      { name: 'a JSON string', body: '"hello"', expect: /must be a DICOM JSON object/ },
      { name: 'an array of two data sets', body: JSON.stringify([{}, {}]), expect: /array of 2/ },
      { name: 'wrong VR of a UID', body: withInstance(randomUid(), 'LO'), expect: /ReferencedSOPInstanceUID \(0008,1155\): has VR LO, expected UI/ },
      { name: 'wrong VR of the sequence', body: JSON.stringify({ [Tag.ReferencedSOPSequence]: { vr: 'UI', Value: ['1.2'] } }), expect: /ReferencedSOPSequence \(0008,1199\): has VR UI, expected SQ/ },
      { name: 'Value not an array', body: JSON.stringify({ [Tag.ReferencedSOPSequence]: { vr: 'SQ', Value: {} } }), expect: /"Value" must be an array/ },
      { name: 'a UID that is a number', body: withInstance(12345), expect: /ReferencedSOPInstanceUID \(0008,1155\): must be a string/ },
      { name: 'no references at all', body: '{}', expect: /references no instance/ },
      { name: 'empty sequences', body: JSON.stringify({ [Tag.ReferencedSOPSequence]: { vr: 'SQ', Value: [] }, [Tag.ReferencedStudySequence]: { vr: 'SQ' } }), expect: /references no instance/ },
      { name: 'an item without its SOP Class UID', body: flat({ [Tag.ReferencedSOPInstanceUID]: { vr: 'UI', Value: [randomUid()] } }), expect: /item 1 > ReferencedSOPClassUID \(0008,1150\): is missing/ },
      { name: 'the same instance twice', body: flat(goodItem(), dup, dup), expect: /item 3 > ReferencedSOPInstanceUID \(0008,1155\): SOP Instance UID .* listed more than once/ },
      { name: 'a UID longer than 64 characters', body: withInstance('1.2.' + '3'.repeat(70)), expect: /longer than 64 characters/ },
      { name: 'a UID with letters', body: withInstance('1.2.abc'), expect: /contains a character other than digits and dots/ },
      { name: 'a UID with a leading zero', body: withInstance('1.2.03'), expect: /leading zero/ },
      { name: 'a UID with an empty component', body: withInstance('1..2'), expect: /empty component/ },
      { name: 'a study item without series', body: JSON.stringify({ [Tag.ReferencedStudySequence]: { vr: 'SQ', Value: [{ [Tag.StudyInstanceUID]: { vr: 'UI', Value: ['1.2.3'] } }] } }), expect: /ReferencedStudySequence \(0008,1110\) item 1 > ReferencedSeriesSequence \(0008,1115\): is missing/ },
      { name: 'malformed XML', body: '<NativeDicomModel><DicomAttribute', contentType: 'application/dicom+xml', expect: /not well-formed/ },
      { name: 'XML with a DOCTYPE', body: '<!DOCTYPE x [<!ENTITY a "b">]><NativeDicomModel/>', contentType: 'application/dicom+xml', expect: /DOCTYPE/ },
      { name: 'XML without the model root', body: '<Other/>', contentType: 'application/dicom+xml', expect: /no NativeDicomModel/ },
    ];

    for (const c of cases) {
      it(`400 for ${c.name}`, async () => {
        const res = await postCommitment(h.url, randomUid(), null, { ...alice, body: c.body, contentType: c.contentType ?? 'application/dicom+json' });
        expect(res.status).toBe(400);
        expect(res.headers.get('warning')).toMatch(/^299 safekeep "[0-9A-F]{4}: /);
        const body = await json(res);
        expect(body.error).toMatch(c.expect);
      });
    }

    it('400 for an invalid Transaction UID in the path', async () => {
      for (const bad of ['1.2.abc', '1.02.3', `1.${'2'.repeat(70)}`, '1..2']) {
        const res = await postCommitment(h.url, bad, flatRefs([h.instances[0]!]), alice);
        expect(res.status).toBe(400);
        expect((await json(res)).error).toMatch(/Transaction UID in the path/);
      }
      const get = await getCommitment(h.url, '1.2.x', alice);
      expect(get.status).toBe(400);
    });

    it('415 for an unsupported or missing Content-Type', async () => {
      const a = await postCommitment(h.url, randomUid(), flatRefs([h.instances[0]!]), { ...alice, contentType: 'text/plain' });
      expect(a.status).toBe(415);
      expect((await json(a)).error).toMatch(/text\/plain is not supported/);
      const b = await fetch(`${h.url}/dicomweb/commitment-requests/${randomUid()}`, {
        method: 'POST',
        headers: { Authorization: 'Bearer alice-secret' },
        body: new Uint8Array([1, 2, 3]),
      });
      expect(b.status).toBe(415);
    });

    it('406 for an Accept that cannot be produced, on POST and GET', async () => {
      const a = await postCommitment(h.url, randomUid(), flatRefs([h.instances[0]!]), { ...alice, accept: 'text/html' });
      expect(a.status).toBe(406);
      const b = await getCommitment(h.url, keptUid, { ...alice, accept: 'image/png, text/html;q=0.5' });
      expect(b.status).toBe(406);
      // q=0 excludes a type.
      const c = await getCommitment(h.url, keptUid, { ...alice, accept: 'application/dicom+json;q=0' });
      expect(c.status).toBe(406);
    });

    it('413 for a body over the limit', async () => {
      const before = h.core.incoming.config.maxBodyBytes;
      h.core.incoming.config.maxBodyBytes = 4096;
      try {
        const refs = flatRefs(Array.from({ length: 100 }, () => unknownInstance()));
        const res = await postCommitment(h.url, randomUid(), refs, alice);
        expect(res.status).toBe(413);
        expect((await json(res)).error).toMatch(/larger than 4096 bytes/);
      } finally {
        h.core.incoming.config.maxBodyBytes = before;
      }
    });

    it('401 without a valid bearer token', async () => {
      for (const o of [{}, { token: 'wrong' }]) {
        const res = await postCommitment(h.url, randomUid(), flatRefs([h.instances[0]!]), o);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
      const basic = await fetch(`${h.url}/dicomweb/commitment-requests/${keptUid}`, { headers: { Authorization: 'Basic YTpi' } });
      expect(basic.status).toBe(401);
      expect((await json(basic)).error).toMatch(/not a Bearer token/);
    });

    it('404 for an unknown transaction and for another client\'s transaction', async () => {
      const unknown = await getCommitment(h.url, randomUid(), alice);
      expect(unknown.status).toBe(404);
      const other = await getCommitment(h.url, keptUid, bob);
      expect(other.status).toBe(404);
      // Indistinguishable from an unknown UID: nothing tells bob that alice's transaction exists.
      expect((await json(other)).error).toBe(`No commitment request with Transaction UID ${keptUid}`);
      expect(Object.keys(await json(unknown))).toEqual(['error']);
    });

    it('409 for a Transaction UID already used, by the same or another client', async () => {
      const same = await postCommitment(h.url, keptUid, flatRefs(h.instances.slice(0, 2)), alice);
      expect(same.status).toBe(409);
      expect(same.headers.get('warning')).toMatch(/0131/);
      const other = await postCommitment(h.url, keptUid, flatRefs([h.instances[3]!]), bob);
      expect(other.status).toBe(409);
    });

    it('503 with Retry-After under back-pressure', async () => {
      const before = h.core.incoming.config.maxPendingInstances;
      h.core.incoming.config.maxPendingInstances = 0;
      try {
        const res = await postCommitment(h.url, randomUid(), flatRefs([h.instances[0]!]), alice);
        expect(res.status).toBe(503);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      } finally {
        h.core.incoming.config.maxPendingInstances = before;
      }
    });

    it('405 for other methods', async () => {
      const res = await fetch(`${h.url}/dicomweb/commitment-requests/${keptUid}`, { method: 'DELETE', headers: { Authorization: 'Bearer alice-secret' } });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST');
    });

    afterAll(async () => {
      // Nothing any bad request did changed what was stored before it.
      expect((await h.core.incoming.read.list({ limit: 1, offset: 0 })).total).toBe(countBefore);
      const res = await getCommitment(h.url, keptUid, alice);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(keptBody);
    });
  });

  it('410 once the result expired, then 404 once the tombstone is forgotten', async () => {
    const uid = randomUid();
    expect((await postCommitment(h.url, uid, flatRefs([h.instances[0]!]), alice)).status).toBe(200);
    clock.advance(h.core.incoming.config.resultRetentionMs + 1000);
    expect((await h.core.applyRetention()).expired).toBeGreaterThanOrEqual(1);
    const gone = await getCommitment(h.url, uid, alice);
    expect(gone.status).toBe(410);
    // The UID stays in use while it is a tombstone.
    expect((await postCommitment(h.url, uid, flatRefs([h.instances[0]!]), alice)).status).toBe(409);
    clock.advance(h.core.incoming.config.tombstoneMs + 1000);
    await h.core.applyRetention();
    expect((await getCommitment(h.url, uid, alice)).status).toBe(404);
  });
});

describe('library policy options', () => {
  it('fails SOP Classes that are not accepted with 0122H and instances beyond capacity with 0213H', async () => {
    const h = await startOrigin({ libraryPolicy: { acceptedSopClasses: ['1.2.840.10008.5.1.4.1.1.4'], capacityPerTransaction: 1 } });
    try {
      const mr = { ...unknownInstance(MR_IMAGE) };
      const res = await postCommitment(h.url, randomUid(), flatRefs([mr, h.instances[0]!, { ...h.instances[1]!, sopClassUid: MR_IMAGE }]), alice);
      const result = parseCommitmentResponse(await res.json());
      expect(result.failed.map((f) => f.failureReason)).toEqual([0x0112, 0x0122, 0x0213]);
    } finally {
      await h.close();
    }
  });
});
