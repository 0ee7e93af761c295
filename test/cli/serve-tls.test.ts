/**
 * `safekeep serve --tls-cert --tls-key --tls-ca`: every listener speaks TLS only, with client certificates
 * signed by the CA required. Real peers: dcmtk's echoscu (+tls) against the DICOM listener, Node's undici
 * and tls clients against HTTPS; certificates made by openssl (test/support/test-pki.ts).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliToEnd, startServe, type CliProcess } from '../support/cli';
import { tempDir } from '../support/fixtures';
import { makeTestPki, type CertPair, type TestPki } from '../support/test-pki';

function echoscu(args: string[], port: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('echoscu', ['-aet', 'ECHOSCU', '-aec', 'SAFEKEEP', '-to', '10', '-ta', '10', '-td', '10', ...args, '127.0.0.1', String(port)], { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

/** Connects with Node's TLS client and resolves with the negotiated protocol, or the handshake error. */
function tlsProbe(port: number, o: tls.ConnectionOptions): Promise<{ protocol: string | null } | { error: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...o });
    socket.once('secureConnect', () => {
      resolve({ protocol: socket.getProtocol() });
      socket.destroy();
    });
    socket.once('error', (e) => resolve({ error: e.message }));
  });
}

describe('safekeep serve with TLS (HTTPS and DICOM TLS, client certificates required)', () => {
  let dir: string;
  let pki: TestPki;
  let serve: CliProcess & { url: string };
  let dimsePort: number;
  const withCert = (pair: CertPair | null) =>
    new Agent({ connect: { ca: fs.readFileSync(pki.ca), ...(pair ? { cert: fs.readFileSync(pair.cert), key: fs.readFileSync(pair.key) } : {}) } });
  const client = (pair: CertPair) => ({ ca: fs.readFileSync(pki.ca), cert: fs.readFileSync(pair.cert), key: fs.readFileSync(pair.key) });

  beforeAll(async () => {
    dir = tempDir('safekeep-serve-tls-');
    pki = makeTestPki(path.join(dir, 'pki'));
    serve = await startServe([
      '--data', path.join(dir, 'data'),
      '--token', 'ui=tls-secret',
      '--dimse-port', '0',
      '--peer', 'ECHOSCU@127.0.0.1:11112',
      '--tls-cert', pki.server.cert,
      '--tls-key', pki.server.key,
      '--tls-ca', pki.ca,
    ]);
    dimsePort = Number((await serve.waitFor(/DICOM listener SAFEKEEP on 127\.0\.0\.1:(\d+), DICOM TLS only/))[1]);
  });
  afterAll(async () => {
    serve?.child.kill('SIGTERM');
    await serve?.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints an https URL and what the listeners require', () => {
    expect(serve.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(serve.stdout()).toContain(`client certificates signed by ${pki.ca} required`);
  });

  it('answers C-ECHO over DICOM TLS to echoscu +tls with a client certificate signed by the CA', async () => {
    const r = await echoscu(['+tls', pki.client.key, pki.client.cert, '+cf', pki.ca], dimsePort);
    expect(r.output).not.toMatch(/E:/);
    expect(r.code).toBe(0);
  });

  it('refuses a plain echoscu, and echoscu +tls with a certificate of another CA or none', async () => {
    const plain = await echoscu([], dimsePort);
    expect(plain.code).not.toBe(0);
    const rogue = await echoscu(['+tls', pki.rogue.key, pki.rogue.cert, '+cf', pki.ca], dimsePort);
    expect(rogue.code).not.toBe(0);
    const anonymous = await echoscu(['+tla', '+cf', pki.ca], dimsePort);
    expect(anonymous.code).not.toBe(0);
  });

  it('follows the BCP 195 profile: TLS 1.2 or later, no suite without forward secrecy or AEAD', async () => {
    const ok = await tlsProbe(dimsePort, { ...client(pki.client), maxVersion: 'TLSv1.2' });
    expect(ok).toEqual({ protocol: 'TLSv1.2' });
    const old = await tlsProbe(dimsePort, { ...client(pki.client), minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    expect(old).toHaveProperty('error');
    // RSA key exchange, CBC: offered alone, the handshake fails.
    const weak = await tlsProbe(dimsePort, { ...client(pki.client), maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-SHA256' });
    expect(weak).toHaveProperty('error');
    const https = await tlsProbe(Number(new URL(serve.url).port), { ...client(pki.client), maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' });
    expect(https).toHaveProperty('error');
  });

  it('serves the API over HTTPS to a client with a certificate signed by the CA', async () => {
    const res = await fetch(`${serve.url}/api/session`, { headers: { authorization: 'Bearer tls-secret' }, dispatcher: withCert(pki.client) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, value: { authenticated: true, client: 'ui' } });
  });

  it('refuses HTTPS without a client certificate or with one of another CA, and plain HTTP', async () => {
    await expect(fetch(`${serve.url}/api/session`, { dispatcher: withCert(null) })).rejects.toThrow();
    await expect(fetch(`${serve.url}/api/session`, { dispatcher: withCert(pki.rogue) })).rejects.toThrow();
    await expect(fetch(serve.url.replace('https:', 'http:') + '/api/session', { signal: AbortSignal.timeout(10_000) })).rejects.toThrow();
  });

  it('safekeep remote add --ca --cert --key: another Safekeep verifies against this one over HTTPS with its client certificate', async () => {
    const data = ['--data', path.join(dir, 'client-data')];
    const base = ['remote', 'add', 'tls-archive', '--url', `${serve.url}/dicomweb`, '--token', 'tls-secret', '--ca', pki.ca];
    expect((await runCliToEnd([...base, '--cert', pki.client.cert, '--key', pki.client.key, ...data])).code).toBe(0);
    const ok = await runCliToEnd(['remote', 'test', 'tls-archive', ...data]);
    expect(ok.stdout).toMatch(/^OK \(\d+ ms\): The commitment service at https:.* works/);
    expect((await runCliToEnd([...base, ...data])).stdout).toMatch(/Updated remote/);
    const refused = await runCliToEnd(['remote', 'test', 'tls-archive', ...data]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/FAILED/);
    expect((await runCliToEnd(['remote', 'add', 'pacs', '--dicom', `SAFEKEEP@127.0.0.1:${dimsePort}`, '--ca', pki.ca, '--cert', pki.client.cert, '--key', pki.client.key, ...data])).code).toBe(0);
    expect((await runCliToEnd(['remote', 'list', ...data])).stdout).toMatch(/pacs\s+DIMSE SAFEKEEP@127\.0\.0\.1:\d+\s+as SAFEKEEP\s+DICOM TLS/);
    const noCa = await runCliToEnd(['remote', 'add', 'pacs2', '--dicom', 'PACS@127.0.0.1:104', '--cert', pki.client.cert, '--key', pki.client.key, ...data]);
    expect(noCa.code).toBe(2);
    expect(noCa.stderr).toMatch(/DICOM TLS needs the archive's CA/);
  });

  it('refuses --tls-cert without --tls-key, and an unreadable certificate, with a clear message', async () => {
    const half = await runCliToEnd(['serve', '--data', path.join(dir, 'data2'), '--port', '0', '--tls-cert', pki.server.cert]);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/--tls-cert and --tls-key go together/);
    const missing = await runCliToEnd(['serve', '--data', path.join(dir, 'data3'), '--port', '0', '--tls-cert', path.join(dir, 'nope.crt'), '--tls-key', pki.server.key]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read the TLS certificate .*nope\.crt: ENOENT/);
  });
});
