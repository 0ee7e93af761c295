import fs from 'node:fs';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { multipartBody, rawRequest, startGuardedApp, type GuardedApp } from '../../support/guarded-app';

const JSON_TYPE = { 'content-type': 'application/json' };
const APP = { 'x-safekeep-request': '1' };

let app: GuardedApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const post = (path: string, headers: Record<string, string>, body: Buffer | string) => rawRequest(app!.port, { method: 'POST', path, headers, body });
const settingsHost = async () => (await app!.core.settings.stored()).server.host;
const uploaded = () => (fs.existsSync(app!.uploadDir) ? fs.readdirSync(app!.uploadDir, { recursive: true }) : []);

describe('DNS rebinding: only allowed Host names are served', () => {
  it('with --no-auth, a foreign Host gets 421 with a problem body, and cannot change the listen address or mint a token', async () => {
    app = await startGuardedApp({ auth: false });
    const evil = { host: `rebind.attacker.example:${app.port}` };
    const page = await rawRequest(app.port, { path: '/', headers: evil });
    expect(page.status).toBe(421);
    expect(page.text).not.toContain('the app');
    expect(JSON.parse(page.text)).toMatchObject({ error: expect.stringContaining('rebind.attacker.example') });

    const change = await post('/api/settings-update', { ...evil, ...JSON_TYPE, ...APP, origin: `http://rebind.attacker.example:${app.port}` }, JSON.stringify({ server: { host: '0.0.0.0' } }));
    expect(change.status).toBe(421);
    expect(JSON.parse(change.text)).toMatchObject({ ok: false, error: { code: 'misdirected' } });
    expect(await settingsHost()).toBe('127.0.0.1');

    const mint = await post('/api/tokens-create', { ...evil, ...JSON_TYPE, ...APP }, JSON.stringify({ client: 'attacker' }));
    expect(mint.status).toBe(421);
    expect(await app.core.access.listTokens()).toEqual([]);
  });

  it('serves the loopback names, the listen address, and names allowed by the flag or the setting', async () => {
    app = await startGuardedApp({ auth: false, allowedHosts: ['safekeep.hospital.test'] });
    for (const host of ['localhost', '127.0.0.1', '[::1]', 'LOCALHOST.', 'safekeep.hospital.test']) {
      const r = await rawRequest(app.port, { path: '/api/session', headers: { host: `${host}:${app.port}` } });
      expect(r.status, host).toBe(200);
    }
    expect((await rawRequest(app.port, { path: '/api/session', headers: { host: `pacs.hospital.test:${app.port}` } })).status).toBe(421);
    const set = await post('/api/settings-update', { ...JSON_TYPE, ...APP }, JSON.stringify({ server: { allowedHosts: ['*.hospital.test'] } }));
    expect(set.status).toBe(200);
    // Applies at once: no restart pending.
    expect(JSON.parse(set.text).value).toMatchObject({ server: { allowedHosts: ['*.hospital.test'] }, pendingRestart: [] });
    expect((await rawRequest(app.port, { path: '/api/session', headers: { host: `pacs.hospital.test:${app.port}` } })).status).toBe(200);
    expect((await rawRequest(app.port, { path: '/api/session', headers: { host: `hospital.test.attacker.example:${app.port}` } })).status).toBe(421);
    // HTTP/1.0 without a Host header at all.
    expect(await statusLine(app.port, 'GET /api/session HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 4\d\d /);
  });

  it('with authentication too: the DICOMweb origin server refuses a foreign Host even with a valid token', async () => {
    app = await startGuardedApp({ auth: true });
    const auth = { authorization: 'Bearer alice-secret' };
    const r = await rawRequest(app.port, { path: '/dicomweb/commitment-requests/1.2.3', headers: { ...auth, host: 'attacker.example' } });
    expect(r.status).toBe(421);
    expect(r.headers['warning']).toMatch(/^299 safekeep "0124: /);
    expect((await rawRequest(app.port, { path: '/dicomweb/commitment-requests/1.2.3', headers: auth })).status).toBe(404);
  });
});

describe('cross-site requests: state changes need the same Origin or the app header', () => {
  it('refuses a cross-site upload (a form on another site) and writes nothing; the app itself uploads', async () => {
    app = await startGuardedApp({ auth: false });
    const { body, contentType } = multipartBody('drop-1', [{ name: 'a/IM1', content: Buffer.from('DICM data') }]);
    const formPost = await post('/api/upload', { 'content-type': contentType, origin: 'http://attacker.example' }, body);
    expect(formPost.status).toBe(403);
    expect(JSON.parse(formPost.text)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // A same-site page on another port is another origin.
    expect((await post('/api/upload', { 'content-type': contentType, origin: 'http://127.0.0.1:1' }, body)).status).toBe(403);
    expect((await post('/api/upload', { 'content-type': contentType, origin: 'null' }, body)).status).toBe(403);
    // No Origin (an old browser's form) and no app header.
    expect((await post('/api/upload', { 'content-type': contentType }, body)).status).toBe(403);
    expect((await post('/api/upload', { 'content-type': contentType, 'sec-fetch-site': 'cross-site', ...APP }, body)).status).toBe(403);
    expect(uploaded()).toEqual([]);

    const same = await post('/api/upload', { 'content-type': contentType, origin: `http://127.0.0.1:${app.port}` }, body);
    expect(same.status).toBe(200);
    // Behind a TLS-terminating proxy: the browser's origin is https, the Host the same name and port.
    const proxied = await post('/api/upload', { 'content-type': contentType, host: `localhost:${app.port}`, origin: `https://localhost:${app.port}` }, body);
    expect(proxied.status).toBe(200);
    expect((await post('/api/upload', { 'content-type': contentType, host: 'localhost', origin: 'https://localhost:8443' }, body)).status).toBe(403);
    const viaHeader = await post('/api/upload', { 'content-type': contentType, ...APP }, body);
    expect(viaHeader.status).toBe(200);
    expect(fs.readFileSync(`${app.uploadDir}/drop-1/a/IM1`, 'utf8')).toBe('DICM data');
  });

  it('every state-changing API call is checked (settings, logout), reading calls are not', async () => {
    app = await startGuardedApp({ auth: false });
    const cross = { ...JSON_TYPE, origin: 'http://attacker.example' };
    expect((await post('/api/settings-update', cross, JSON.stringify({ retentionDays: 1 }))).status).toBe(403);
    expect((await rawRequest(app.port, { method: 'DELETE', path: '/api/settings-update', headers: cross })).status).toBe(403);
    expect((await post('/api/logout', { origin: 'http://attacker.example' }, '{}')).status).toBe(403);
    expect((await app.core.settings.stored()).retentionDays).toBe(30);
    expect((await rawRequest(app.port, { path: '/api/session', headers: { origin: 'http://attacker.example' } })).status).toBe(200);
    expect((await post('/api/settings-update', { ...JSON_TYPE, ...APP }, JSON.stringify({ retentionDays: 7 }))).status).toBe(200);
    expect((await app.core.settings.stored()).retentionDays).toBe(7);
  });

  it('the DICOMweb origin server keeps serving user agents that send no Origin, and refuses a cross-site one', async () => {
    app = await startGuardedApp({ auth: true });
    const body = JSON.stringify({ '00081199': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] }, '00081155': { vr: 'UI', Value: ['1.2.3.4.5'] } }] } });
    const headers = { authorization: 'Bearer alice-secret', 'content-type': 'application/dicom+json' };
    const cross = await post('/dicomweb/commitment-requests/2.25.1001', { ...headers, origin: 'http://attacker.example' }, body);
    expect(cross.status).toBe(403);
    expect(await app.core.store.incoming.get('2.25.1001')).toBeUndefined();
    const archive = await post('/dicomweb/commitment-requests/2.25.1002', headers, body);
    expect([200, 202]).toContain(archive.status);
    expect(await app.core.store.incoming.get('2.25.1002')).toBeDefined();
  });
});

function statusLine(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (b) => (data += b.toString('latin1')));
    socket.on('close', () => resolve(data.split('\r\n')[0]!));
    socket.on('error', reject);
  });
}
