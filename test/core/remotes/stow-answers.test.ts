import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNativeXml } from '../../../src-main/core/codec/native-xml';
import type { StoreOutcome } from '../../../src-shared/store-outcome';
import { startFaultServer, type Reply } from '../../support/fault-server';
import { makeLibrary, tempDir, type GeneratedInstance } from '../../support/fixtures';
import { studiesServices } from '../../support/studies-services';

/** A Store Instances Response Module (PS3.18 Annex I) as an archive would answer it. */
function storeAnswer(stored: { uid: string; warning?: number }[], failed: { uid: string; reason?: number }[]) {
  const ref = (uid: string) => ({ '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] }, '00081155': { vr: 'UI', Value: [uid] } });
  return {
    '00081198': { vr: 'SQ', Value: failed.map((f) => ({ ...ref(f.uid), ...(f.reason === undefined ? {} : { '00081197': { vr: 'US', Value: [f.reason] } }) })) },
    '00081199': { vr: 'SQ', Value: stored.map((s) => ({ ...ref(s.uid), ...(s.warning === undefined ? {} : { '00081196': { vr: 'US', Value: [s.warning] } }) })) },
  };
}

/** Archive answers that Orthanc does not give, played by a real HTTP server on loopback. */
describe('STOW-RS answers, statuses and failures', () => {
  let dir: string;
  let lib: GeneratedInstance[];
  let reply: (uids: string[]) => Reply;
  let server: Awaited<ReturnType<typeof startFaultServer>>;
  const uid = (i: number) => lib[i]!.sopInstanceUid;

  beforeAll(async () => {
    dir = tempDir();
    lib = makeLibrary(path.join(dir, 'lib'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 8, pixelBytes: 2048 });
    server = await startFaultServer((req) => {
      // The request body is the multipart message: find which of our instances it carries.
      return reply(lib.map((i) => i.sopInstanceUid).filter((u) => req.body.includes(u)));
    });
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const store = (n: number, o = {}) => studiesServices(server.url, { timeoutSeconds: 5 }).stow.store(lib.slice(0, n), o);

  it('sends one multipart/related body with every file, streamed, and its exact Content-Length', async () => {
    let got: string[] = [];
    reply = (uids) => {
      got = uids;
      return { status: 200, body: JSON.stringify(storeAnswer(uids.map((u) => ({ uid: u })), [])) };
    };
    const r = await store(3);
    expect(got).toEqual([uid(0), uid(1), uid(2)]);
    const sent = server.seen.at(-1)!.body;
    expect(sent.match(/Content-Type: application\/dicom\r\n\r\n/g)).toHaveLength(3);
    expect(r.requests[0]!.bytes).toBe(lib.slice(0, 3).reduce((n, i) => n + fs.statSync(i.path).size, 0));
  });

  it('reads warnings (0008,1196) and failure reasons (0008,1197) in words; 202 means some failed', async () => {
    reply = () => ({
      status: 202,
      body: JSON.stringify(
        storeAnswer(
          [{ uid: uid(0), warning: 0xb000 }, { uid: uid(1) }],
          [
            { uid: uid(2), reason: 0xa700 },
            { uid: uid(3), reason: 0xa900 },
            { uid: uid(4), reason: 0xc122 },
            { uid: uid(5), reason: 0x0122 },
            { uid: uid(6), reason: 0x0124 },
          ],
        ),
      ),
    });
    const r = await store(8);
    expect(r.requests[0]!.summary).toBe('HTTP 202 Accepted (some instances stored, with warnings or failures for others)');
    const o = r.outcomes;
    expect(o.get(uid(0))).toEqual({ kind: 'stored', warning: 'B000H Coercion of data elements' });
    expect(o.get(uid(1))).toEqual({ kind: 'stored', warning: null });
    expect(o.get(uid(2))).toEqual({ kind: 'failed', reason: 'A700H Refused: out of resources', code: 0xa700, httpStatus: 202, transient: true });
    expect(o.get(uid(3))).toMatchObject({ reason: 'A900H Data set does not match SOP Class', transient: false });
    expect(o.get(uid(4))).toMatchObject({ reason: 'C122H Transfer Syntax not supported', transient: false });
    expect(o.get(uid(5))).toMatchObject({ reason: '0122H SOP Class not supported', transient: false });
    expect(o.get(uid(6))).toMatchObject({ reason: '0124H Refused: not authorized', transient: false });
    // Listed nowhere in a 202: not stored, and worth sending again.
    expect(o.get(uid(7))).toMatchObject({ kind: 'failed', code: null, httpStatus: 202, transient: true });
    expect((o.get(uid(7)) as { reason: string }).reason).toMatch(/lists this instance neither as stored nor as failed/);
  });

  it('409: every instance failed, each with its reason', async () => {
    reply = (uids) => ({ status: 409, body: JSON.stringify(storeAnswer([], uids.map((u) => ({ uid: u, reason: 0x0110 })))) });
    const r = await store(2);
    expect(r.requests[0]!.summary).toBe('HTTP 409 Conflict (no instance stored: conflict (e.g. SOP Class not supported))');
    expect([...r.outcomes.values()]).toEqual([0, 1].map(() => ({ kind: 'failed', reason: '0110H Processing failure', code: 0x0110, httpStatus: 409, transient: true })));
    expect(r.stoppedBy).toBeNull();
  });

  it('reads an XML answer (Native DICOM Model) like a JSON one', async () => {
    reply = () => ({
      status: 202,
      headers: { 'content-type': 'application/dicom+xml' },
      body: buildNativeXml(storeAnswer([{ uid: uid(0) }], [{ uid: uid(1), reason: 0xa701 }]) as never),
    });
    const r = await store(2);
    expect(r.outcomes.get(uid(0))).toEqual({ kind: 'stored', warning: null });
    expect(r.outcomes.get(uid(1))).toMatchObject({ kind: 'failed', reason: 'A701H Refused: out of resources', code: 0xa701 });
  });

  it('503 with an explanation: every instance failed, transient, with the archive words; sending goes on', async () => {
    reply = () => ({ status: 503, headers: { 'content-type': 'text/plain', warning: '299 archive: Maintenance until 22:00' }, body: 'Service down for maintenance' });
    const r = await store(4, { maxInstancesPerRequest: 2 });
    expect(r.requests).toHaveLength(2);
    expect(r.stoppedBy).toBeNull();
    expect(r.outcomes.get(uid(3))).toEqual({
      kind: 'failed',
      reason: 'HTTP 503 Service Unavailable (the archive is busy): Maintenance until 22:00 — Service down for maintenance',
      code: null,
      httpStatus: 503,
      transient: true,
    });
  });

  it('401 stops sending: the first request failed with the explanation, the rest not sent', async () => {
    reply = () => ({ status: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'invalid_token', error_description: 'The token expired' }) });
    const r = await store(4, { maxInstancesPerRequest: 2, concurrency: 1 });
    expect(r.requests).toHaveLength(1);
    expect(r.stoppedBy).toMatchObject({ name: 'DicomwebHttpError', status: 401, explanation: 'invalid_token: The token expired' });
    expect(r.outcomes.get(uid(0))).toMatchObject({ kind: 'failed', httpStatus: 401, reason: 'HTTP 401 Unauthorized (not authenticated): invalid_token: The token expired' });
    expect(r.outcomes.get(uid(3))).toMatchObject({ kind: 'not-sent' });
    expect((r.outcomes.get(uid(3)) as { reason: string }).reason).toMatch(/^Not sent: STOW-RS HTTP 401 Unauthorized from http:\/\/127\.0\.0\.1:\d+\/dicomweb\/studies: invalid_token/);
  });

  it('HTTP 200 with garbage: unconfirmed, never taken as stored', async () => {
    reply = () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>It works!</body></html>' });
    const r = await store(1);
    expect(r.outcomes.get(uid(0))).toMatchObject({ kind: 'unconfirmed', httpStatus: 200 });
    expect((r.outcomes.get(uid(0)) as { reason: string }).reason).toMatch(/^HTTP 200 OK \(all instances stored\), but the XML answer cannot be read/);
  });

  it('a connection dropped before the answer: the request\'s instances are "not sent"', async () => {
    reply = () => ({ drop: true });
    const r = await store(3);
    const outcomes = [...r.outcomes.values()] as StoreOutcome[];
    expect(outcomes.every((o) => o.kind === 'not-sent')).toBe(true);
    expect((outcomes[0] as { reason: string }).reason).toMatch(/^Not sent: The connection to .* was closed before an answer \(the archive may have received part of the request; not taken as stored\)/);
    expect(r.requests[0]!.httpStatus).toBeNull();
  });

  it('a connection cut while the body is still being sent: "not sent" too', async () => {
    let received = 0;
    const cutter = http.createServer((req) => {
      req.on('data', (d: Buffer) => {
        received += d.length;
        if (received > 4096) req.socket.destroy(); // mid-upload: the first file is not even through
      });
    });
    await new Promise<void>((r) => cutter.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(cutter.address() as AddressInfo).port}/dicomweb`;
      const r = await studiesServices(url, { timeoutSeconds: 5 }).stow.store(lib.slice(0, 4), { concurrency: 1 });
      expect([...r.outcomes.values()].every((o) => o.kind === 'not-sent')).toBe(true);
      expect(r.requests[0]).toMatchObject({ instances: 4, httpStatus: null });
      expect((r.outcomes.get(uid(0)) as { reason: string }).reason).toMatch(/^Not sent: The connection to http:\/\/127\.0\.0\.1:\d+\/dicomweb\/studies was closed before an answer/);
    } finally {
      cutter.closeAllConnections();
      await new Promise<void>((r) => cutter.close(() => r()));
    }
  });

  it('cancel: nothing more is sent, what was not sent says so', async () => {
    reply = (uids) => ({ status: 200, body: JSON.stringify(storeAnswer(uids.map((u) => ({ uid: u })), [])) });
    const ctl = new AbortController();
    const r = await store(6, { maxInstancesPerRequest: 2, concurrency: 1, signal: ctl.signal, onRequest: () => ctl.abort() });
    expect(r.requests).toHaveLength(1);
    expect(r.outcomes.get(uid(1))).toEqual({ kind: 'stored', warning: null });
    expect(r.outcomes.get(uid(2))).toEqual({ kind: 'not-sent', reason: 'Not sent: Sending was cancelled' });
  });
});
