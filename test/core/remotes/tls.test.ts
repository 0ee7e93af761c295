import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHost, type Host } from '../../../src-main/core/host/host';
import { tempDir } from '../../support/fixtures';
import { httpsKeepsNothing } from '../../support/keeps-nothing';

/** A DICOMweb remote over HTTPS with a self-signed certificate: custom CA, refusal without it, explicit opt-out. */
describe('remote TLS options', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof httpsKeepsNothing>>;
  let url: string;
  let host: Host;

  beforeAll(async () => {
    dir = tempDir();
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    // A commitment service that keeps nothing: the Test's made-up instance comes back failed (0112H).
    server = await httpsKeepsNothing({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) });
    url = server.url;
    host = await openHost({ dataDir: path.join(dir, 'data') });
  });
  afterAll(async () => {
    await host.stop();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const testRemote = (id: number) => host.call('remotes-test', { id });
  const remote = async (name: string, config: object) => (await host.core.remotes.save({ kind: 'dicomweb', name, config: { baseUrl: url, timeoutSeconds: 5, ...config } })).id;

  it('trusts the archive with its CA file', async () => {
    const r = await testRemote(await remote('with-ca', { caFile: path.join(dir, 'cert.pem') }));
    expect(r).toMatchObject({ ok: true });
    expect(r.message).toMatch(/The commitment service at https:\/\/127\.0\.0\.1:\d+\/dicomweb works/);
  });

  it('refuses an unknown certificate with a clear TLS error', async () => {
    const r = await testRemote(await remote('no-ca', {}));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^TLS error with https:\/\/127\.0\.0\.1:\d+\/dicomweb\/commitment-requests\/.*self[- ]signed/i);
  });

  it('accepts any certificate only with the explicit opt-in', async () => {
    expect(await testRemote(await remote('insecure', { insecureSkipVerify: true }))).toMatchObject({ ok: true });
  });

  it('refuses a CA file that does not exist, naming it', async () => {
    const r = await testRemote(await remote('bad-ca', { caFile: path.join(dir, 'missing.pem') }));
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/missing\.pem/);
  });
});
