import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { configureLog } from '../../../src-main/core/log';
import { rawRequest, startGuardedApp, type GuardedApp } from '../../support/guarded-app';
import { tempDir } from '../../support/fixtures';

let app: GuardedApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const login = (token: string, localAddress = '127.0.0.1') =>
  rawRequest(app!.port, { method: 'POST', path: '/api/login', headers: { 'content-type': 'application/json', 'x-safekeep-request': '1' }, body: JSON.stringify({ token }), localAddress });

it('after 10 wrong login codes from one address answers 429 with Retry-After (even to the right code), logs it, and spares other addresses', async () => {
  const logFile = path.join(tempDir(), 'safekeep.log');
  configureLog({ file: logFile });
  app = await startGuardedApp({ auth: true, loginThrottle: { maxFailures: 10, windowMs: 60_000 } });

  const answers = [];
  for (let i = 0; i < 30; i++) answers.push((await login(`wrong-${i}`)).status);
  expect(answers.slice(0, 10)).toEqual(Array(10).fill(401));
  expect(answers.slice(10)).toEqual(Array(20).fill(429));

  const blocked = await login('alice-secret');
  expect(blocked.status).toBe(429);
  expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
  expect(JSON.parse(blocked.text)).toMatchObject({ ok: false, error: { code: 'too-many-requests' } });
  expect(blocked.headers['set-cookie']).toBeUndefined();

  // The one-time login link is throttled by the same count.
  expect((await rawRequest(app.port, { path: '/login?code=guess' })).status).toBe(429);

  // Another client address is not affected.
  expect((await login('alice-secret', '127.0.0.2')).status).toBe(200);

  const logged = fs.readFileSync(logFile, 'utf8');
  expect(logged).toMatch(/WARN \[api\] login: 10 wrong login codes from 127\.0\.0\.1/);
  expect(logged).toMatch(/WARN \[api\] login: refused an attempt from 127\.0\.0\.1 \(throttled, retry after \d+ s\)/);
  expect(logged).not.toContain('127.0.0.2');
});

it('a successful login clears the count; the count covers a window, not forever', async () => {
  let now = Date.now();
  app = await startGuardedApp({ auth: true, clock: { now: () => now }, loginThrottle: { maxFailures: 3, windowMs: 60_000 } });
  for (let i = 0; i < 2; i++) expect((await login('wrong')).status).toBe(401);
  expect((await login('alice-secret')).status).toBe(200);
  for (let i = 0; i < 3; i++) expect((await login('wrong')).status).toBe(401);
  expect((await login('wrong')).status).toBe(429);
  now += 61_000;
  expect((await login('alice-secret')).status).toBe(200);
});
