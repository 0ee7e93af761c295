import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { multipartBody, rawRequest, startGuardedApp, type GuardedApp } from '../../support/guarded-app';

let app: GuardedApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const APP = { 'x-safekeep-request': '1' };
const upload = (body: Buffer | string, contentType: string, extra: Record<string, string> = {}) =>
  rawRequest(app!.port, { method: 'POST', path: '/api/upload', headers: { 'content-type': contentType, ...APP, ...extra }, body });
const filesIn = (dir: string) => (fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(`${dir}/${f}`).isFile()).sort() : []);

it('writes every part byte for byte under the batch folder, keeping relative paths and never leaving the folder', async () => {
  app = await startGuardedApp({ auth: false });
  const big = randomBytes(5 * 1024 * 1024 + 7);
  // Content that contains the boundary's dashes and CRLFs must survive.
  const tricky = Buffer.from('\r\n--\r\n------safekeepTestBoundary7MA4YWx\r\n--');
  const { body, contentType } = multipartBody('drop-7', [
    { name: 'study/series/IM1', content: big },
    { name: 'study/series/IM2', content: tricky },
    { name: '../../escape', content: Buffer.from('x') },
    { name: 'empty', content: Buffer.alloc(0) },
  ]);
  const r = await upload(body, contentType);
  expect(r.status).toBe(200);
  const dir = `${app.uploadDir}/drop-7`;
  expect(JSON.parse(r.text)).toEqual({ ok: true, value: { folder: dir, files: 4, bytes: big.length + tricky.length + 1 } });
  expect(fs.readFileSync(`${dir}/study/series/IM1`).equals(big)).toBe(true);
  expect(fs.readFileSync(`${dir}/study/series/IM2`).equals(tricky)).toBe(true);
  expect(filesIn(app.uploadDir)).toEqual(['drop-7/empty', 'drop-7/escape', 'drop-7/study/series/IM1', 'drop-7/study/series/IM2']);
  // Readable by Safekeep's user only (issue 12 §3).
  const mode = (p: string) => fs.statSync(p).mode & 0o777;
  expect([mode(`${dir}/study/series/IM1`), mode(`${dir}/empty`)]).toEqual([0o600, 0o600]);
  expect([mode(app.uploadDir), mode(dir), mode(`${dir}/study`), mode(`${dir}/study/series`)]).toEqual([0o700, 0o700, 0o700, 0o700]);
});

it('answers 413 above the configured limit, before reading a body whose Content-Length says so, and keeps no file', async () => {
  app = await startGuardedApp({ auth: false, maxUploadBytes: 64 * 1024 });
  const { body, contentType } = multipartBody('drop-8', [{ name: 'IM1', content: randomBytes(100 * 1024) }]);
  const r = await upload(body, contentType);
  expect(r.status).toBe(413);
  expect(JSON.parse(r.text)).toMatchObject({ ok: false, error: { code: 'payload-too-large' } });
  expect(filesIn(app.uploadDir)).toEqual([]);

  // Chunked (no Content-Length): counted while streaming; the first file, complete, is removed too.
  const chunked = multipartBody('drop-9', [
    { name: 'IM1', content: randomBytes(10 * 1024) },
    { name: 'IM2', content: randomBytes(100 * 1024) },
  ]);
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: app!.port, method: 'POST', path: '/api/upload', headers: { 'content-type': chunked.contentType, ...APP, 'transfer-encoding': 'chunked' }, agent: false },
      (res) => (res.resume(), resolve(res.statusCode!)),
    );
    req.on('error', reject);
    for (let i = 0; i < chunked.body.length; i += 8192) req.write(chunked.body.subarray(i, i + 8192));
    req.end();
  });
  expect(status).toBe(413);
  expect(filesIn(app.uploadDir)).toEqual([]);
});

it('answers 400, never 500, to a malformed multipart body, and keeps no partial file', async () => {
  app = await startGuardedApp({ auth: false });
  const b = '----b0undary';
  const cases: [string, string][] = [
    ['no boundary parameter', 'multipart/form-data'],
    ['not multipart', 'text/plain'],
  ];
  for (const [what, type] of cases) expect((await upload('--x--\r\n', type)).status, what).toBe(400);
  const type = `multipart/form-data; boundary=${b}`;
  const bodies: [string, string][] = [
    ['empty body', ''],
    ['no opening boundary', 'hello world'],
    ['cut in the middle of a file', `--${b}\r\nContent-Disposition: form-data; name="file"; filename="IM1"\r\n\r\n${'x'.repeat(5000)}`],
    ['headers never end', `--${b}\r\nContent-Disposition: form-data; name="file"; filename="IM1"\r\n${'X-Pad: y\r\n'.repeat(3000)}`],
    ['a part without Content-Disposition', `--${b}\r\nContent-Type: text/plain\r\n\r\nabc\r\n--${b}--\r\n`],
    ['garbage after a boundary', `--${b}GARBAGE\r\n\r\n--${b}--`],
    ['no file part', `--${b}\r\nContent-Disposition: form-data; name="batch"\r\n\r\ndrop-1\r\n--${b}--\r\n`],
  ];
  for (const [what, body] of bodies) {
    const r = await upload(body, type);
    expect(r.status, what).toBe(400);
    expect(JSON.parse(r.text), what).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  }
  expect(filesIn(app.uploadDir)).toEqual([]);
});
