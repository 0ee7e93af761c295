import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCliToEnd, startServe } from '../support/cli';
import { tempDir } from '../support/fixtures';
import { DICOM_SYSLOG, eventTypes, udpCollector } from '../support/syslog-collector';

const root = tempDir();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it('safekeep audit prints the trail of serve (start, a refused and a good login, a commitment request, stop), filtered by --since', async () => {
  const data = path.join(root, 'data');
  const serve = await startServe(['--data', data, '--token', 'pacs=pacs-secret']);
  const json = { 'content-type': 'application/json', 'x-safekeep-request': '1' };
  expect((await fetch(`${serve.url}/api/login`, { method: 'POST', headers: json, body: JSON.stringify({ token: 'nope' }) })).status).toBe(401);
  expect((await fetch(`${serve.url}/api/login`, { method: 'POST', headers: json, body: JSON.stringify({ token: 'pacs-secret' }) })).status).toBe(200);
  const body = JSON.stringify({ '00081199': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] }, '00081155': { vr: 'UI', Value: ['1.2.3.4'] } }] } });
  const post = await fetch(`${serve.url}/dicomweb/commitment-requests/2.25.4242`, { method: 'POST', headers: { authorization: 'Bearer pacs-secret', 'content-type': 'application/dicom+json' }, body });
  expect([200, 202]).toContain(post.status);
  serve.child.kill('SIGTERM');
  await serve.exited;

  const listed = await runCliToEnd(['audit', '--data', data, '--json']);
  expect(listed.code).toBe(0);
  const events = JSON.parse(listed.stdout) as { event: string; outcome: number; user: string; object: string | null; detail: Record<string, string> }[];
  expect(events.map((e) => [e.event, e.outcome])).toEqual([
    ['application-start', 0],
    ['login', 4],
    ['login', 0],
    ['commitment-request-received', 0],
    ['application-stop', 0],
  ]);
  expect(events[3]).toMatchObject({ user: 'pacs', object: '2.25.4242', detail: { instances: '1', protocol: 'dicomweb' } });

  const table = await runCliToEnd(['audit', '--data', data, '--since', '1h']);
  expect(table.stdout.trim().split('\n')).toHaveLength(5);
  expect(table.stdout).toMatch(/commitment-request-received {2}ok {2}pacs@127\.0\.0\.1:\d+ {2}2\.25\.4242 {2}instances=1 protocol=dicomweb/);
  expect((await runCliToEnd(['audit', '--data', data, '--since', '2999-01-01'])).stdout.trim()).toBe('No audit events');
  const bad = await runCliToEnd(['audit', '--data', data, '--since', 'yesterday-ish']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/Invalid --since/);
});

it('serve --audit-syslog sends the trail to a UDP collector; a bad collector URL is a usage error', async () => {
  const collector = await udpCollector();
  try {
    const serve = await startServe(['--data', path.join(root, 'data-syslog'), '--no-auth', '--audit-syslog', collector.url]);
    serve.child.kill('SIGTERM');
    await serve.exited;
    const got = await collector.waitFor(2);
    expect(eventTypes(got)).toEqual(['Application Start', 'Application Stop']);
    for (const m of got) expect(m).toMatch(DICOM_SYSLOG);
  } finally {
    collector.close();
  }
  const bad = await runCliToEnd(['serve', '--data', path.join(root, 'data-syslog'), '--audit-syslog', 'http://collector:514']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/Invalid --audit-syslog/);
});
