/**
 * The renderer under a flood: 100,000 instances streaming to committed, watched in Chromium.
 * `safekeep serve` #1 is the archive (a 100,000-file library); #2 is the client whose UI we
 * open. In the UI: select all, Verify selected (flat form, 1,000 per request), then measure
 * with Chromium's own performance APIs (through playwright-core):
 *   - the time from the first to the last visible update of the outgoing counts,
 *   - the longest main-thread task meanwhile (PerformanceObserver 'longtask', installed
 *     before the page loads). Target: under 100 ms.
 * It prints the figures; it never fails on a time.
 *   npm run build && npx tsx bench/ui.ts [--files 100000] [--per-request 1000]
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser';
import { startServe } from '../test/support/cli';
import { benchLibrary } from './library';
import { arg, CACHE_DIR, fmt, table } from './support';

const files = arg('files', 100_000);
const perRequest = arg('per-request', 1000);
const { dir } = benchLibrary(files, 2048);
const work = fs.mkdtempSync(path.join(CACHE_DIR, 'ui-'));
const count = (n: number) => n.toLocaleString('en-US');

/** Installed before any script of the page: long tasks, and every change of the committed/failed counts as painted text. */
const PROBE = `
  window.__bench = { longTasks: [], updates: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  let last = '';
  const read = () => {
    const c = document.querySelector('[data-testid="total-committed"]');
    const f = document.querySelector('[data-testid="total-failed"]');
    if (!c || !f) return;
    const now = c.textContent + '|' + f.textContent;
    if (now === last) return;
    last = now;
    window.__bench.updates.push({ t: performance.now(), committed: Number(c.textContent.replace(/,/g, '')), failed: Number(f.textContent.replace(/,/g, '')) });
  };
  new MutationObserver(read).observe(document, { subtree: true, childList: true, characterData: true });
`;

/** Polls an expression in the page (waitForFunction would eval() inside the page, which the app's CSP forbids). */
async function waitUntil(page: Page, expression: string, timeoutMs: number, everyMs = 250): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

interface Probe {
  longTasks: { start: number; duration: number }[];
  updates: { t: number; committed: number; failed: number }[];
  timeOrigin: number;
  heapMiB: number | null;
}

console.log(`UI benchmark: ${count(files)} instances, ${count(perRequest)} per request`);
const t0 = performance.now();
const archive = await startServe(['--data', path.join(work, 'archive'), '--library', dir, '--token', 'bench=bench-secret', '--sync-window', '600']);
const client = await startServe(['--data', path.join(work, 'client'), '--library', dir, '--no-auth']);
console.log(`  both servers scanned and listening in ${fmt((performance.now() - t0) / 1000)} s`);
const browser = await launchChromium();
try {
  // The remote (not what is measured): straight through the client's API.
  const saved = await fetch(`${client.url}/api/remotes-save`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-safekeep-request': '1' },
    body: JSON.stringify({
      input: { kind: 'dicomweb', name: 'Archive', config: { baseUrl: `${archive.url}/dicomweb`, auth: 'bearer', maxInstancesPerRequest: perRequest }, secret: 'bench-secret' },
    }),
  });
  if (!saved.ok) throw new Error(`remotes-save: HTTP ${saved.status} ${await saved.text()}`);

  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.addInitScript(PROBE);
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(`${client.url}/#/library`);
  await waitUntil(page, `!!document.querySelector('[data-testid="library-summary"]')?.textContent.includes('${count(files)} instances')`, 120_000);

  // As a user would: select all, Verify selected, flat form, send.
  await page.getByRole('button', { name: /^Select all [\d,]+ studies$/ }).click();
  await waitUntil(page, `!document.querySelector('[data-testid="selection-summary"]').textContent.startsWith('Nothing')`, 60_000);
  await page.getByRole('button', { name: 'Verify selected…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Verify selected' });
  await dialog.getByLabel(/Flat list of instances/).check();
  const sentAt = (await page.evaluate('performance.now()')) as number;
  await dialog.getByRole('button', { name: 'Send commitment request' }).click();
  await waitUntil(page, `(() => { const u = window.__bench.updates.at(-1); return !!u && u.committed + u.failed === ${files}; })()`, 30 * 60_000, 500);
  // A moment more, to catch anything painted after the last count.
  await page.waitForTimeout(1000);
  const probe = (await page.evaluate(
    `({ ...window.__bench, timeOrigin: performance.timeOrigin, heapMiB: performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null })`,
  )) as Probe;

  // When the engine finished, by the server's clock (the same machine's clock as the page's timeOrigin).
  const list = (await (
    await fetch(`${client.url}/api/outgoing-list`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-safekeep-request': '1' }, body: JSON.stringify({ limit: 100_000 }) })
  ).json()) as { value: { rows: { completedAt: number | null; state: string }[]; total: number } };
  const requests = list.value.rows;
  const engineDone = Math.max(...requests.map((r) => r.completedAt ?? 0));

  const moving = probe.updates.filter((u) => u.t >= sentAt && (u.committed > 0 || u.failed > 0));
  const first = moving[0]!;
  const last = moving.at(-1)!;
  const during = probe.longTasks.filter((t) => t.start + t.duration >= sentAt && t.start <= last.t);
  const longest = during.reduce((m, t) => Math.max(m, t.duration), 0);
  const blocking = during.reduce((n, t) => n + Math.max(0, t.duration - 50), 0);
  const window = (last.t - first.t) / 1000;
  const lag = probe.timeOrigin + last.t - engineDone;

  console.log(`\nUI while ${count(files)} instances stream to committed (${count(requests.length)} requests, ${count(perRequest)} per request)\n`);
  console.log(
    table([
      ['what', 'value'],
      ['send click -> first visible count update', `${fmt(first.t - sentAt, 0)} ms`],
      ['first -> last visible update of the outgoing counts', `${fmt(window, 2)} s`],
      ['visible updates of the counts', `${count(moving.length)} (${fmt(moving.length / Math.max(window, 0.001), 1)} per s)`],
      ['last visible update after the engine finished', `${fmt(lag, 0)} ms`],
      ['final counts on screen', `${count(last.committed)} committed, ${count(last.failed)} failed`],
      ['long tasks (>50 ms) meanwhile', count(during.length)],
      [
        'longest main-thread task meanwhile',
        // The longtask API reports tasks of 50 ms or more: none means every task was shorter.
        `${during.length ? `${fmt(longest, 0)} ms` : 'under 50 ms (no long task)'} (target < 100 ms: ${longest < 100 ? 'met' : 'NOT met'})`,
      ],
      ['total blocking time meanwhile', `${fmt(blocking, 0)} ms`],
      ['JS heap at the end', probe.heapMiB === null ? '-' : `${fmt(probe.heapMiB, 1)} MiB`],
    ]),
  );
  if (during.length) {
    const at = (t: number) => (t < first.t ? `${fmt(t - sentAt, 0)} ms after the click` : `${fmt(t - first.t, 0)} ms after the first update`);
    console.log(`\nlong tasks: ${during.map((t) => `${fmt(t.duration, 0)} ms at ${at(t.start)}`).join('; ')}`);
  }
} finally {
  await browser.close();
  for (const p of [client, archive]) {
    p.child.kill('SIGTERM');
    await p.exited;
  }
  fs.rmSync(work, { recursive: true, force: true });
}
