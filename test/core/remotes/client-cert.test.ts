import fs from 'node:fs';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHost, type Host } from '../../../src-main/core/host/host';
import { tempDir } from '../../support/fixtures';
import { httpsKeepsNothing } from '../../support/keeps-nothing';
import { makeTestPki, type TestPki } from '../../support/test-pki';

/** A DICOMweb remote that requires a client certificate of the hospital's CA (undici dispatcher options). */
describe('DICOMweb remote with a client certificate', () => {
  let dir: string;
  let pki: TestPki;
  let server: Awaited<ReturnType<typeof httpsKeepsNothing>>;
  let url: string;
  let host: Host;
  const clients: string[] = [];

  beforeAll(async () => {
    dir = tempDir();
    pki = makeTestPki(path.join(dir, 'pki'));
    const read = (f: string) => fs.readFileSync(f);
    server = await httpsKeepsNothing({ key: read(pki.server.key), cert: read(pki.server.cert), ca: read(pki.ca), requestCert: true, rejectUnauthorized: true }, (req) =>
      clients.push((req.socket as TLSSocket).getPeerCertificate().subject.CN as string),
    );
    url = server.url;
    host = await openHost({ dataDir: path.join(dir, 'data') });
  });
  afterAll(async () => {
    await host.stop();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const remote = async (name: string, config: object) =>
    (await host.call('remotes-save', { input: { kind: 'dicomweb', name, config: { baseUrl: url, timeoutSeconds: 5, caFile: pki.ca, ...config } } })).id;

  it('presents the client certificate and key of the remote', async () => {
    const r = await host.call('remotes-test', { id: await remote('with-cert', { certFile: pki.client.cert, keyFile: pki.client.key }) });
    expect(r).toMatchObject({ ok: true });
    expect(clients).toContain('safekeep test client');
  });

  it('is refused without a client certificate, or with one of another CA', async () => {
    const none = await host.call('remotes-test', { id: await remote('no-cert', {}) });
    expect(none.ok).toBe(false);
    const rogue = await host.call('remotes-test', { id: await remote('rogue-cert', { certFile: pki.rogue.cert, keyFile: pki.rogue.key }) });
    expect(rogue.ok).toBe(false);
    expect(clients).toEqual(['safekeep test client']);
  });

  it('refuses a certificate without its key when saved, and names an unreadable key file', async () => {
    await expect(remote('half', { certFile: pki.client.cert })).rejects.toThrow(/keyFile: Give the client certificate and its private key together/);
    const r = await host.call('remotes-test', { id: await remote('missing-key', { certFile: pki.client.cert, keyFile: path.join(dir, 'gone.key') }) });
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/Cannot read the client private key .*gone\.key: ENOENT/);
  });
});
