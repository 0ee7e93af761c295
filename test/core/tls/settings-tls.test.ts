/**
 * The TLS setting (Settings → TLS): checked when saved, applied at the next start to every listener (HTTPS,
 * DICOM TLS with client certificates), turned off the same way. Certificates: openssl (test-pki.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHost, type Host } from '../../../src-main/core/host/host';
import { tempDir } from '../../support/fixtures';
import { makeTestPki, type TestPki } from '../../support/test-pki';

describe('TLS from the stored settings', () => {
  let dir: string;
  let pki: TestPki;
  let dataDir: string;
  const read = (f: string) => fs.readFileSync(f);

  beforeAll(() => {
    dir = tempDir('safekeep-settings-tls-');
    pki = makeTestPki(path.join(dir, 'pki'));
    dataDir = path.join(dir, 'data');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function withHost(fn: (host: Host) => Promise<void>): Promise<void> {
    const host = await openHost({ dataDir, authEnabled: false });
    try {
      await fn(host);
    } finally {
      await host.stop();
    }
  }

  it('refuses files that cannot serve, and keeps the setting as it was', async () => {
    await withHost(async (host) => {
      await expect(host.call('settings-update', { tls: { certFile: path.join(dir, 'none.pem'), keyFile: pki.server.key } })).rejects.toThrow(/Cannot read the TLS certificate .*none\.pem: ENOENT/);
      await expect(host.call('settings-update', { tls: { certFile: pki.server.cert, keyFile: pki.client.key } })).rejects.toThrow(/cannot be used: .*key values mismatch/i);
      await expect(host.call('settings-update', { tls: { certFile: pki.server.cert } as never })).rejects.toThrow(/keyFile/);
      expect((await host.call('settings-get', {})).tls).toEqual({ stored: null, inUse: null });
    });
  });

  it('stores a certificate that applies at the next start: HTTPS and DICOM TLS, client certificates required', async () => {
    const files = { certFile: pki.server.cert, keyFile: pki.server.key, caFile: pki.ca };
    await withHost(async (host) => {
      await host.call('settings-update', { tls: files });
      const s = await host.call('settings-get', {});
      expect(s.tls).toEqual({ stored: files, inUse: null });
      expect(s.pendingRestart).toContain('tls');
    });
    await withHost(async (host) => {
      const { server, dimse } = await host.start({ http: { host: '127.0.0.1', port: 0 }, dimse: { overrides: { port: 0 }, force: true } });
      expect(server!.url).toMatch(/^https:/);
      const s = await host.call('settings-get', {});
      expect(s.tls).toEqual({ stored: files, inUse: files });
      expect(s.pendingRestart).not.toContain('tls');
      const agent = new Agent({ connect: { ca: read(pki.ca), cert: read(pki.client.cert), key: read(pki.client.key) } });
      expect((await fetch(`${server!.url}/api/session`, { dispatcher: agent })).status).toBe(404);
      await expect(fetch(`${server!.url}/dicomweb/commitment-requests/1.2.3`, { dispatcher: new Agent({ connect: { ca: read(pki.ca) } }) })).rejects.toThrow();
      // The DICOM listener: the handshake completes only with a client certificate of the CA.
      const handshake = (o: tls.ConnectionOptions) =>
        new Promise<string>((resolve) => {
          const socket = tls.connect({ host: '127.0.0.1', port: dimse!.port, ca: read(pki.ca), ...o }, () => {
            // TLS 1.3: the server checks the client certificate after the client finished; wait for its verdict.
            socket.once('data', () => undefined);
            setTimeout(() => {
              resolve(socket.destroyed ? 'closed' : 'open');
              socket.destroy();
            }, 300);
          });
          socket.on('error', (e) => resolve(`error: ${e.message}`));
        });
      expect(await handshake({ cert: read(pki.client.cert), key: read(pki.client.key) })).toBe('open');
      expect(await handshake({})).toMatch(/certificate required|closed|error/);
    });
  });

  it('turned off, the next start is plain again', async () => {
    await withHost(async (host) => {
      await host.call('settings-update', { tls: null });
      expect((await host.call('settings-get', {})).pendingRestart).toContain('tls');
    });
    await withHost(async (host) => {
      const { server } = await host.start({ http: { host: '127.0.0.1', port: 0 } });
      expect(server!.url).toMatch(/^http:/);
      expect((await fetch(`${server!.url}/dicomweb/commitment-requests/1.2.3`)).status).toBeLessThan(500);
    });
  });
});
