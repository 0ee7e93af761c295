import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, expect, it } from 'vitest';
import { readAudit } from '../../../src-main/core/audit/read';
import { AuditTrail } from '../../../src-main/core/audit/trail';
import { tempDir } from '../../support/fixtures';
import { DICOM_SYSLOG, udpCollector } from '../../support/syslog-collector';

const clock = { now: () => Date.now() };
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const login = (trail: AuditTrail, user: string) => trail.record({ event: 'login', outcome: 0, user, address: '10.0.0.7' });

it('rotates the file past its size and keeps the newest files, read back oldest first', () => {
  const dir = tempDir();
  const trail = new AuditTrail({ dir, clock, maxFileBytes: 4096, keepFiles: 2 });
  for (let i = 0; i < 60; i++) login(trail, `user-${i}`);
  expect(fs.readdirSync(dir).sort()).toEqual(['audit.1.log', 'audit.2.log', 'audit.log']);
  for (const f of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(4096);
  const users = readAudit(dir).map((r) => Number(r.user.slice(5)));
  expect(users.length).toBeGreaterThan(5);
  expect(users.at(-1)).toBe(59);
  expect(users).toEqual(users.map((_, i) => users[0]! + i)); // consecutive: nothing lost inside the kept files
  expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  expect(fs.statSync(path.join(dir, 'audit.log')).mode & 0o777).toBe(0o600);
});

it('sends each message to a UDP syslog collector (RFC 5424, DICOM+RFC3881)', async () => {
  const collector = await udpCollector();
  cleanups.push(() => collector.close());
  const trail = new AuditTrail({ dir: tempDir(), clock, syslog: { url: collector.url } });
  cleanups.push(() => trail.close());
  for (const u of ['ann', 'bob', 'cyd']) login(trail, u);
  await trail.syslog!.drained();
  const got = await collector.waitFor(3);
  for (const m of got) expect(m).toMatch(DICOM_SYSLOG);
  expect(got.map((m) => /UserID="(\w+)"/.exec(m)![1])).toEqual(['ann', 'bob', 'cyd']);
});

it('over TLS: queues on disk while the collector is away (and across a restart), then sends everything in order', async () => {
  const certs = tempDir();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', `${certs}/key.pem`, '-out', `${certs}/cert.pem`], { stdio: 'ignore' });
  const cert = fs.readFileSync(`${certs}/cert.pem`);
  const key = fs.readFileSync(`${certs}/key.pem`);
  const received: string[] = [];
  const collector = () => {
    const server = tls.createServer({ cert, key }, (socket) => {
      let buf = Buffer.alloc(0);
      socket.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        // RFC 5425 octet counting: "LEN SP MSG".
        for (let sp = buf.indexOf(0x20); sp > 0; sp = buf.indexOf(0x20)) {
          const len = Number(buf.subarray(0, sp).toString());
          if (buf.length < sp + 1 + len) break;
          received.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
          buf = buf.subarray(sp + 1 + len);
        }
      });
    });
    return server;
  };
  // A port, then nobody listening on it.
  let server = collector();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));

  const dir = tempDir();
  const target = { url: `tls://127.0.0.1:${port}`, ca: cert };
  const first = new AuditTrail({ dir, clock, syslog: target });
  login(first, 'ann');
  login(first, 'bob');
  await until(() => fs.readFileSync(`${dir}/audit.log`, 'utf8').split('\n').length === 3);
  expect(first.syslog!.pending()).toBe(2);
  await first.close(); // stopped with the collector still away
  const second = new AuditTrail({ dir, clock, syslog: target });
  cleanups.push(() => second.close());
  login(second, 'cyd');
  expect(second.syslog!.pending()).toBe(3);

  server = collector();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  await second.syslog!.drained();
  await until(() => received.length === 3);
  for (const m of received) expect(m).toMatch(DICOM_SYSLOG);
  expect(received.map((m) => /UserID="(\w+)"/.exec(m)![1])).toEqual(['ann', 'bob', 'cyd']);
  login(second, 'dee');
  await until(() => received.length === 4);
  expect(second.syslog!.pending()).toBe(0);
  // The file has all four, whatever the collector did.
  expect(readAudit(dir).map((r) => r.user)).toEqual(['ann', 'bob', 'cyd', 'dee']);
}, 60_000);

async function until(cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
