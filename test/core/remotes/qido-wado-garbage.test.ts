import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomwebAnswerError, DicomwebHttpError } from '../../../src-main/core/remotes/dicomweb-errors';
import { TransportError } from '../../../src-main/core/remotes/dicomweb-client';
import { encodeDicom, randomUid } from '../../support/dicom-writer';
import { CT_IMAGE } from '../../support/fixtures';
import { startFaultServer, type Reply, type Seen } from '../../support/fault-server';
import { studiesServices } from '../../support/studies-services';

const ref = { studyUid: randomUid(), seriesUid: randomUid(), sopInstanceUid: randomUid() };
const row = (uid: string) => ({ '00080016': { vr: 'UI', Value: [CT_IMAGE] }, '00080018': { vr: 'UI', Value: [uid] }, '0020000E': { vr: 'UI', Value: [ref.seriesUid] } });
const multipart = (boundary: string, parts: { type: string; body: Buffer }[]): Buffer =>
  Buffer.concat([
    ...parts.flatMap((p) => [Buffer.from(`--${boundary}\r\nContent-Type: ${p.type}\r\n\r\n`), p.body, Buffer.from('\r\n')]),
    Buffer.from(`--${boundary}--\r\n`),
  ]);

/** A server that answers QIDO-RS and WADO-RS with garbage: every case is a typed error that says what is wrong. */
describe('QIDO-RS and WADO-RS against a garbage server', () => {
  let server: Awaited<ReturnType<typeof startFaultServer>>;
  let reply: (req: Seen) => Reply;
  let services: ReturnType<typeof studiesServices>;

  beforeAll(async () => {
    server = await startFaultServer((req) => reply(req));
    services = studiesServices(server.url, { timeoutSeconds: 3 });
  });
  afterAll(() => server.close());

  const qidoError = () => services.qido.studyInstances(ref.studyUid).catch((e: unknown) => e);
  const wadoError = () => services.wado.retrieveInstance(ref).catch((e: unknown) => e);

  it('QIDO answered with HTML: "not DICOM JSON", with the status and an excerpt', async () => {
    reply = () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html>Welcome to nginx</html>' });
    const e = await qidoError();
    expect(e).toBeInstanceOf(DicomwebAnswerError);
    expect(e).toMatchObject({ service: 'QIDO-RS', status: 200 });
    expect((e as Error).message).toMatch(/^QIDO-RS answer from http:\/\/127\.0\.0\.1:\d+\/dicomweb\/studies\/[\d.]+\/instances\?limit=1000&offset=0 \(HTTP 200 OK\) is not usable: not DICOM JSON \(Content-Type text\/html\): "<html>Welcome to nginx<\/html>" \(29 bytes\)$/);
  });

  it('QIDO answered with JSON that is not a list of data sets, or rows without SOP Instance UID', async () => {
    reply = () => ({ status: 200, body: JSON.stringify({ studies: [] }) });
    expect(await qidoError()).toMatchObject({ problem: 'the answer is not a JSON array of data sets' });
    reply = () => ({ status: 200, body: JSON.stringify([row(randomUid()), { '00080016': { vr: 'UI', Value: [CT_IMAGE] } }]) });
    expect(await qidoError()).toMatchObject({ problem: 'result 2 has no SOP Instance UID (0008,0018)' });
  });

  it('QIDO error status: typed, with the status and the archive explanation', async () => {
    reply = () => ({ status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Message: 'Database locked', Details: 'SQLite busy' }) });
    const e = await qidoError();
    expect(e).toBeInstanceOf(DicomwebHttpError);
    expect(e).toMatchObject({ service: 'QIDO-RS', status: 500, explanation: 'Database locked: SQLite busy' });
  });

  it('QIDO pages: follows limit/offset to the end, and stops on a server that ignores offset', async () => {
    const uids = Array.from({ length: 7 }, () => randomUid());
    reply = (req) => {
      const offset = Number(/offset=(\d+)/.exec(req.uid)?.[1] ?? 0);
      const limit = Number(/limit=(\d+)/.exec(req.uid)?.[1] ?? 0);
      return { status: 200, body: JSON.stringify(uids.slice(offset, offset + limit).map(row)) };
    };
    const before = server.seen.length;
    const all = await services.qido.studyInstances(ref.studyUid, { pageSize: 3 });
    expect(all.map((i) => i.sopInstanceUid)).toEqual(uids);
    expect(server.seen.slice(before).map((s) => s.uid.split('?')[1])).toEqual(['limit=3&offset=0', 'limit=3&offset=3', 'limit=3&offset=6']);
    reply = () => ({ status: 200, body: JSON.stringify(uids.slice(0, 3).map(row)) });
    expect(await services.qido.studyInstances(ref.studyUid, { pageSize: 3 }).catch((e: unknown) => e)).toMatchObject({
      problem: 'the next page repeats the previous results (the archive ignores offset)',
    });
  });

  it('WADO answered with HTML: "expected multipart/related"', async () => {
    reply = () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html>login</html>' });
    const e = await wadoError();
    expect(e).toBeInstanceOf(DicomwebAnswerError);
    expect((e as DicomwebAnswerError).problem).toBe('expected multipart/related, got Content-Type text/html: "<html>login</html>" (18 bytes)');
  });

  it('WADO multipart garbage: no boundary, a broken body, a part that is not DICOM, another instance', async () => {
    reply = () => ({ status: 200, headers: { 'content-type': 'multipart/related; type="application/dicom"' }, body: 'x' });
    expect(await wadoError()).toMatchObject({ problem: 'the multipart/related answer has no boundary in its Content-Type' });

    reply = () => ({ status: 200, headers: { 'content-type': 'multipart/related; type="application/dicom"; boundary=abc' }, body: 'no parts at all' });
    expect((await wadoError() as DicomwebAnswerError).problem).toMatch(/^the multipart body cannot be parsed \(Invalid multipart stream: missing initial boundary\)/);

    reply = () => ({
      status: 200,
      headers: { 'content-type': 'multipart/related; type="application/dicom"; boundary=abc' },
      body: multipart('abc', [{ type: 'application/dicom', body: Buffer.from('this is not a DICOM file') }]),
    });
    expect((await wadoError() as DicomwebAnswerError).problem).toBe('the part is not a DICOM Part 10 file: "this is not a DICOM file" (24 bytes)');

    const other = encodeDicom({ sopClassUid: CT_IMAGE, sopInstanceUid: randomUid(), studyUid: ref.studyUid, seriesUid: ref.seriesUid });
    reply = () => ({ status: 200, headers: { 'content-type': 'multipart/related; type="application/dicom"; boundary=abc' }, body: multipart('abc', [{ type: 'application/dicom', body: other }]) });
    expect((await wadoError() as DicomwebAnswerError).problem).toMatch(new RegExp(`^asked for instance ${ref.sopInstanceUid.replace(/\./g, '\\.')}, got 2\\.25\\.\\d+$`));
  });

  it('WADO error status and a dropped connection: typed errors', async () => {
    reply = () => ({ status: 403, headers: { 'content-type': 'text/plain' }, body: 'Access to this study is restricted' });
    expect(await wadoError()).toMatchObject({ name: 'DicomwebHttpError', service: 'WADO-RS', status: 403, explanation: 'Access to this study is restricted' });
    reply = () => ({ drop: true });
    const e = await wadoError();
    expect(e).toBeInstanceOf(TransportError);
    expect(e).toMatchObject({ kind: 'reset' });
  });
});
