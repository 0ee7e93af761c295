import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, startGuardedApp, type GuardedApp } from '../../support/guarded-app';

let app: GuardedApp;
beforeAll(async () => {
  app = await startGuardedApp({ auth: true });
});
afterAll(() => app.close());

const AUTH = { authorization: 'Bearer alice-secret' };
const request = (uids: string[]) =>
  JSON.stringify({ '00081199': { vr: 'SQ', Value: uids.map((u) => ({ '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] }, '00081155': { vr: 'UI', Value: [u] } })) } });
let n = 0;
const post = (body: Buffer | string, contentType: string, path = `/dicomweb/commitment-requests/2.25.${Date.now()}${n++}`) =>
  rawRequest(app.port, { method: 'POST', path, headers: { ...AUTH, 'content-type': contentType }, body });

/** The answer is a 4xx problem body with a well-formed Warning header (the server itself did not fail). */
function expectProblem(r: { status: number; headers: Record<string, unknown>; text: string }, status: number, what: string) {
  expect(r.status, `${what}: ${r.text}`).toBe(status);
  expect(JSON.parse(r.text), what).toMatchObject({ error: expect.any(String) });
  expect(r.headers['warning'], what).toMatch(/^299 safekeep "[0-9A-F]{4}: [\x20-\x7e]*"$/);
}

describe('bad input gets 4xx, never 500', () => {
  it('a UTF-16 body, or a charset other than UTF-8', async () => {
    const json = request(['1.2.3.4']);
    expectProblem(await post(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]), 'application/dicom+json'), 400, 'UTF-16 with BOM');
    expectProblem(await post(Buffer.from(json, 'utf16le'), 'application/dicom+json'), 400, 'UTF-16 without BOM');
    expectProblem(await post(Buffer.from(json, 'utf16le'), 'application/dicom+json; charset=utf-16'), 415, 'charset=utf-16');
    expectProblem(await post(json, 'application/dicom+xml; charset="UTF-16"'), 415, 'XML charset=UTF-16');
    expect((await post(json, 'application/dicom+json; charset=UTF-8')).status).toBeLessThan(300);
  });

  it('full-width digits or a NUL inside a UID, in the path or the body', async () => {
    for (const uid of ['１.２.３', '1.2\u00003', '1.2\u00e9']) {
      expectProblem(await post(request(['1.2.3.4']), 'application/dicom+json', `/dicomweb/commitment-requests/${encodeURIComponent(uid)}`), 400, `path ${JSON.stringify(uid)}`);
      expectProblem(await post(request([uid]), 'application/dicom+json'), 400, `body ${JSON.stringify(uid)}`);
    }
  });

  it('20,000 nested XML items, and 20,000 nested JSON arrays', async () => {
    const open = '<DicomAttribute tag="00081199" vr="SQ"><Item number="1">';
    const xml = `<?xml version="1.0" encoding="UTF-8"?><NativeDicomModel>${open.repeat(20_000)}${'</Item></DicomAttribute>'.repeat(20_000)}</NativeDicomModel>`;
    expectProblem(await post(xml, 'application/dicom+xml'), 400, 'nested XML');
    const json = `{"00081199":{"vr":"SQ","Value":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
    expectProblem(await post(json, 'application/dicom+json'), 400, 'nested JSON');
  });

  it('a lone %, invalid percent-encoding, %00, %01, a non-ASCII character in the path', async () => {
    for (const tail of ['%', '1.2%', '%E0%A4%A', '1.2%00', '1.2%01', '1.2%C3%A9']) {
      for (const method of ['GET', 'POST']) {
        const r = await rawRequest(app.port, { method, path: `/dicomweb/commitment-requests/${tail}`, headers: { ...AUTH, 'content-type': 'application/dicom+json' }, body: method === 'POST' ? request(['1.2.3']) : undefined });
        expectProblem(r, 400, `${method} ${tail}`);
      }
    }
    // A raw (unencoded) non-ASCII byte sequence in the request line, and bad paths elsewhere than DICOMweb.
    expect(await statusLine(`GET /dicomweb/commitment-requests/1.2\u00e9 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    for (const path of ['/%', '/api/%E0%A4%A', '/x%00', '/library/%01']) expect((await rawRequest(app.port, { path })).status, path).toBe(400);
  });

  it('an unknown DICOMweb resource or an empty UID is 404, not the app page', async () => {
    for (const path of ['/dicomweb/', '/dicomweb/studies', '/dicomweb/commitment-requests/', '/dicomweb/commitment-requests', '/dicomweb/commitment-requests/1.2/extra']) {
      const r = await rawRequest(app.port, { path, headers: AUTH });
      expect(r.status, path).toBe(404);
      expect(r.headers['content-type'], path).toMatch(/^application\/json/);
      expect(r.text, path).not.toContain('the app');
    }
    const api = await rawRequest(app.port, { path: '/api/no-such-call', headers: AUTH });
    expect(api.status).toBe(404);
    expect(JSON.parse(api.text)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    // The app's own client-side routes still get the page.
    expect((await rawRequest(app.port, { path: '/library' })).text).toContain('the app');
  });
});

function statusLine(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(app.port, '127.0.0.1', () => socket.end(Buffer.from(request, 'utf8')));
    let data = '';
    socket.on('data', (b) => (data += b.toString('latin1')));
    socket.on('close', () => resolve(data.split('\r\n')[0]!));
    socket.on('error', reject);
  });
}
