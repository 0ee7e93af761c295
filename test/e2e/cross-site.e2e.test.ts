/**
 * The browser-mode attacks of issue 12 §2, made by a real Chromium: a page on another site posting files
 * into /api/upload (no-cors fetch, which needs no preflight), and DNS rebinding (a foreign name that
 * resolves to Safekeep's loopback address, via Chromium's --host-resolver-rules).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/browser';
import { startGuardedApp, type GuardedApp } from '../support/guarded-app';

let app: GuardedApp;
let browser: Browser;
let attacker: http.Server;
let attackerUrl: string;

/** What a page on another site runs: a multipart POST of a file, which a browser sends without preflight. */
const POST_FILE = async (target: string) => {
  const form = new FormData();
  form.append('batch', 'evil');
  form.append('file', new Blob(['not DICOM, planted by another site']), 'planted.dcm');
  try {
    const r = await fetch(target, { method: 'POST', body: form, mode: 'no-cors', credentials: 'include' });
    return r.type;
  } catch (e) {
    return String(e);
  }
};

beforeAll(async () => {
  app = await startGuardedApp({ auth: false });
  attacker = http.createServer((_req, res) => res.end('<!doctype html><title>another site</title>'));
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP rebind.attacker.test 127.0.0.1'] });
});
afterAll(async () => {
  await browser?.close();
  attacker?.close();
  await app?.close();
});

const planted = () => (fs.existsSync(app.uploadDir) ? fs.readdirSync(app.uploadDir, { recursive: true }) : []);

it('a page on another site cannot post files into /api/upload; the app itself can', async () => {
  const page = await browser.newPage();
  await page.goto(attackerUrl);
  await page.evaluate(POST_FILE, `${app.url}/api/upload`);
  expect(planted()).toEqual([]);

  // The same request from the app's own origin is accepted (Chromium sends its Origin).
  await page.goto(`${app.url}/`);
  expect(await page.evaluate(POST_FILE, '/api/upload')).toBe('basic'); // a same-origin answer
  expect(fs.readFileSync(`${app.uploadDir}/evil/planted.dcm`, 'utf8')).toBe('not DICOM, planted by another site');
  await page.close();
});

it('DNS rebinding: a foreign name that resolves to loopback gets 421 and cannot change the settings', async () => {
  const page = await browser.newPage();
  const answer = await page.goto(`http://rebind.attacker.test:${app.port}/`);
  expect(answer!.status()).toBe(421);
  expect(await page.content()).not.toContain('the app');
  // Same-origin from the browser's point of view: only the Host check stands in the way.
  const status = await page.evaluate(async () => {
    const r = await fetch('/api/settings-update', { method: 'POST', headers: { 'content-type': 'application/json', 'X-Safekeep-Request': '1' }, body: JSON.stringify({ server: { host: '0.0.0.0' } }) });
    return r.status;
  });
  expect(status).toBe(421);
  expect((await app.core.settings.stored()).server.host).toBe('127.0.0.1');
  await page.close();
});
