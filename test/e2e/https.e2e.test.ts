/**
 * The app over HTTPS in a real Chromium: `safekeep serve --tls-cert --tls-key` with a certificate of a test
 * CA (openssl). Chromium trusts exactly that server key through --ignore-certificate-errors-spki-list (the
 * base64 SHA-256 of its SubjectPublicKeyInfo), not every certificate; without it, the page does not load.
 * Needs `npm run build`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { startServe, type CliProcess } from '../support/cli';
import { tempDir } from '../support/fixtures';
import { makeTestPki, type TestPki } from '../support/test-pki';

const LONG = 120_000;

describe('the app over HTTPS in Chromium', () => {
  let dir: string;
  let pki: TestPki;
  let serve: CliProcess & { url: string };
  let login: string;
  let trusting: Browser;
  let plain: Browser;

  beforeAll(async () => {
    dir = tempDir('safekeep-https-e2e-');
    pki = makeTestPki(path.join(dir, 'pki'));
    serve = await startServe(['--data', path.join(dir, 'data'), '--token', 'ui=https-secret', '--tls-cert', pki.server.cert, '--tls-key', pki.server.key]);
    login = (await serve.waitFor(/Open the app: (\S+)/))[1]!;
    trusting = await launchChromium([`--ignore-certificate-errors-spki-list=${pki.serverSpki}`]);
    plain = await launchChromium();
  }, LONG);
  afterAll(async () => {
    await trusting?.close();
    await plain?.close();
    serve?.child.kill('SIGTERM');
    await serve?.exited;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, LONG);

  it('logs in with the one-time link, in a secure context, with a Secure session cookie and live updates', async () => {
    expect(login).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/login\?code=/);
    const context = await trusting.newContext();
    const page = await context.newPage();
    await page.goto(login);
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
    await page.getByText('Live').waitFor();
    expect(new URL(page.url()).protocol).toBe('https:');
    expect(await page.evaluate(() => (globalThis as unknown as { isSecureContext: boolean }).isSecureContext)).toBe(true);
    const cookie = (await context.cookies()).find((c) => c.name === 'sk_session');
    expect(cookie).toMatchObject({ secure: true, httpOnly: true });
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: /^Settings/ }).click();
    await page.getByText(serve.url).first().waitFor();
    await context.close();
  }, LONG);

  it('does not load for a Chromium that does not trust the test certificate', async () => {
    const page = await plain.newPage();
    await expect(page.goto(login)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    await page.close();
  }, LONG);
});
