import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterEach, expect, it } from 'vitest';
import { openHost } from '../../../src-main/core/host/host';
import { readAudit } from '../../../src-main/core/audit/read';
import { rawRequest, startGuardedApp, type GuardedApp } from '../../support/guarded-app';
import { tempDir } from '../../support/fixtures';
import { eventTypes, udpCollector } from '../../support/syslog-collector';

let app: GuardedApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const JSON_APP = { 'content-type': 'application/json', 'x-safekeep-request': '1' };

it('records logins (failed and done), token, setting and remote changes with who and from where, and commitment requests', async () => {
  app = await startGuardedApp({ auth: true });
  const port = app.port;
  expect((await rawRequest(port, { method: 'POST', path: '/api/login', headers: JSON_APP, body: JSON.stringify({ token: 'guess' }) })).status).toBe(401);
  const login = await rawRequest(port, { method: 'POST', path: '/api/login', headers: JSON_APP, body: JSON.stringify({ token: 'alice-secret' }), localAddress: '127.0.0.2' });
  expect(login.status).toBe(200);
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const call = async (name: string, args: unknown) => {
    const r = await rawRequest(port, { method: 'POST', path: `/api/${name}`, headers: { ...JSON_APP, cookie }, body: JSON.stringify(args), localAddress: '127.0.0.2' });
    expect(r.status, `${name}: ${r.text}`).toBe(200);
    return JSON.parse(r.text).value;
  };
  const created = await call('tokens-create', { client: 'pacs' });
  await call('tokens-revoke', { id: created.token.id });
  await call('settings-update', { retentionDays: 10 });
  await call('remotes-save', { input: { kind: 'dicomweb', name: 'vna', config: { baseUrl: 'http://127.0.0.1:1/dicomweb', auth: 'none' }, secret: null } });
  const body = JSON.stringify({ '00081199': { vr: 'SQ', Value: [1, 2, 3].map((i) => ({ '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] }, '00081155': { vr: 'UI', Value: [`1.2.3.${i}`] } })) } });
  const post = await rawRequest(port, { method: 'POST', path: '/dicomweb/commitment-requests/2.25.777', headers: { authorization: 'Bearer alice-secret', 'content-type': 'application/dicom+json' }, body });
  expect([200, 202]).toContain(post.status);

  const records = readAudit(path.join(app.dataDir, 'audit'));
  const brief = records.map((r) => [r.event, r.outcome, r.user, r.address, r.object]);
  expect(brief).toEqual([
    ['application-start', 0, expect.any(String), null, null],
    ['login', 4, 'unknown', '127.0.0.1', null],
    ['login', 0, 'alice', '127.0.0.2', null],
    ['token-created', 0, 'alice', '127.0.0.2', 'pacs'],
    ['token-revoked', 0, 'alice', '127.0.0.2', String(created.token.id)],
    ['setting-changed', 0, 'alice', '127.0.0.2', 'retentionDays'],
    ['remote-changed', 0, 'alice', '127.0.0.2', 'vna'],
    ['commitment-request-received', 0, 'alice', expect.stringMatching(/^127\.0\.0\.1:\d+$/), '2.25.777'],
  ]);
  expect(records.at(-1)!.detail).toEqual({ instances: '3', protocol: 'dicomweb' });
  expect(records[1]!.description).toBe('wrong login code');
  for (const r of records) {
    expect(XMLValidator.validate(r.xml)).toBe(true);
    expect(r.xml).toMatch(/^<AuditMessage><EventIdentification EventActionCode="[CRUDE]" EventDateTime="\d{4}-\d\d-\d\dT[\d:.]+Z" EventOutcomeIndicator="\d+"><EventID csd-code="11\d{4}" codeSystemName="DCM"/);
    expect(r.xml).toContain('<AuditSourceIdentification AuditSourceID="safekeep@');
  }
  // The app's view: newest first, filtered by event and by text.
  expect((await call('audit-list', { event: 'login' })).map((e: { outcome: number }) => e.outcome)).toEqual([0, 4]);
  expect((await call('audit-list', { search: '2.25.777' })).map((e: { event: string }) => e.event)).toEqual(['commitment-request-received']);
  expect(await call('audit-list', { since: Date.now() + 60_000 })).toEqual([]);
  expect(records[2]!.xml).toContain('<EventID csd-code="110114" codeSystemName="DCM" originalText="User Authentication"/><EventTypeCode csd-code="110122" codeSystemName="DCM" originalText="Login"/>');
});

it('records the application start and stop, and nothing of a host that was never started', async () => {
  const dataDir = path.join(tempDir(), 'data');
  const opened = await openHost({ dataDir });
  await opened.stop();
  expect(readAudit(path.join(dataDir, 'audit'))).toEqual([]);
  const host = await openHost({ dataDir });
  await host.start({ incoming: true });
  await host.stop();
  expect(readAudit(path.join(dataDir, 'audit')).map((r) => [r.event, r.outcome])).toEqual([
    ['application-start', 0],
    ['application-stop', 0],
  ]);
});

it('the stored syslog collector (Settings) is used from the next start; a bad one is refused', async () => {
  const collector = await udpCollector();
  try {
    const dataDir = path.join(tempDir(), 'data');
    const first = await openHost({ dataDir });
    await expect(first.call('settings-update', { auditSyslog: { url: 'http://siem:514', caFile: null } })).rejects.toMatchObject({ code: 'bad-request' });
    const view = await first.call('settings-update', { auditSyslog: { url: collector.url, caFile: null } });
    expect(view.pendingRestart).toContain('audit');
    await first.stop();
    const host = await openHost({ dataDir });
    await host.start({ incoming: true });
    await host.stop();
    expect(eventTypes(await collector.waitFor(2))).toEqual(['Application Start', 'Application Stop']);
  } finally {
    collector.close();
  }
});
