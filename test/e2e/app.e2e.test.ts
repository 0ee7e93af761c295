/**
 * The real app in a real Chromium (Debian's, driven by playwright-core) against two
 * `safekeep serve` processes: "app" (this workstation, whose UI we use) and "archive"
 * (a second Safekeep whose library lacks one of the instances). Needs `npm run build`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { startServe, type CliProcess } from '../support/cli';
import { makeLibrary, tempDir, type GeneratedInstance } from '../support/fixtures';

const SCREENSHOTS = fileURLToPath(new URL('../../test-artifacts/screenshots', import.meta.url));
const LONG = 180_000;

type Serve = CliProcess & { url: string };

describe('Safekeep in Chromium (two safekeep serve processes)', () => {
  let root: string;
  let libA: string;
  let instances: GeneratedInstance[];
  let missing: GeneratedInstance;
  let uploadDir: string;
  let app: Serve;
  let archive: Serve;
  let appLogin: string;
  let archiveLogin: string;
  let browser: Browser;
  /** The Transaction UID of the remote Test's request (it shows in the archive's Incoming view too). */
  let testProbeUid = '(not tested yet)';
  let context: BrowserContext;
  let page: Page;
  /** Content-Security-Policy violations the page reported (an injected <style> would be one). */
  const cspViolations: string[] = [];

  const shot = (name: string, p: Page = page) => p.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
  const nav = async (name: string, p: Page = page) => {
    await p.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: new RegExp(`^${name}`) }).click();
  };
  const text = (testId: string, p: Page = page) => p.getByTestId(testId).textContent();

  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    root = tempDir('safekeep-e2e-');
    libA = path.join(root, 'libA');
    instances = makeLibrary(libA, { studies: 2, seriesPerStudy: 1, instancesPerSeries: 3 });
    fs.writeFileSync(path.join(libA, 'notes.txt'), 'not a DICOM file');
    // A second, byte-identical copy of an instance (walked after study1/: the first file wins), and a file of
    // another patient whose Pixel Data is cut short (indexed, flagged).
    fs.mkdirSync(path.join(libA, 'zz'));
    fs.copyFileSync(instances[0]!.path, path.join(libA, 'zz', 'copy-of-IM1.dcm'));
    const cut = makeLibrary(path.join(libA, 'cut'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 1, pixelBytes: 20_000, extra: { patientName: 'CUT^PATIENT' } })[0]!;
    fs.truncateSync(cut.path, fs.statSync(cut.path).size - 5000);
    // The archive holds copies of every instance but one (the second instance of the second study).
    missing = instances[4]!;
    const libB = path.join(root, 'libB');
    for (const i of instances) {
      if (i === missing) continue;
      const to = path.join(libB, path.relative(libA, i.path));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(i.path, to);
    }
    // A folder to upload through the browser (another patient).
    uploadDir = path.join(root, 'to-upload', 'DROPPED');
    makeLibrary(uploadDir, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 2, extra: { patientName: 'DROP^PATIENT', patientId: 'DROP1' } });

    archive = await startServe(['--data', path.join(root, 'dataB'), '--library', libB, '--token', 'pacs=archive-secret']);
    app = await startServe(['--data', path.join(root, 'dataA'), '--token', 'ui=app-secret']);
    archiveLogin = (await archive.waitFor(/Open the app: (\S+)/))[1]!;
    appLogin = (await app.waitFor(/Open the app: (\S+)/))[1]!;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to apply/i.test(m.text())) cspViolations.push(m.text());
    });
  }, LONG);

  afterAll(async () => {
    await browser?.close();
    for (const p of [app, archive]) {
      if (p && p.child.exitCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
    }
    if (root) fs.rmSync(root, { recursive: true, force: true });
  }, LONG);

  it('shows the login screen without a session, refuses a wrong token, and logs in with the one-time link', async () => {
    const other = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const p = await other.newPage();
    await p.goto(app.url);
    const token = p.getByLabel('Access token');
    await token.waitFor();
    await shot('login', p);
    await token.fill('not-the-token');
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('alert').filter({ hasText: 'The bearer token is not valid' }).waitFor();
    await token.fill('app-secret');
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('navigation', { name: 'Screens' }).waitFor();
    await other.close();

    // The link printed by `serve` starts a session and lands on the app.
    await page.goto(appLogin);
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
    await page.getByText('Live').waitFor();
  }, LONG);

  it('adds a library folder by path, uploads another one, and lists studies and skipped files', async () => {
    await nav('Library');
    await page.getByLabel('Add folder by path').fill(libA);
    await page.getByRole('button', { name: 'Add folder' }).click();
    // The notice of the scan gives way to its outcome once it is done; nothing says "Scanning" any more.
    const toasts = page.locator('.toasts');
    await toasts.getByText(`Scan of ${libA} done: 7 indexed, 0 unchanged, 1 skipped, 1 duplicate copy, 1 flagged`).waitFor({ timeout: 30_000 });
    expect(await toasts.textContent()).not.toMatch(/Scanning/);
    expect(await text('scan-progress')).toMatch(/Scan done/);
    expect(await text('scan-progress')).not.toMatch(/Scanning/);
    await expect.poll(() => text('library-summary')).toMatch(/3 studies · 3 series · 7 instances/);
    const tree = page.getByTestId('library-tree');
    await tree.getByText('TEST, PATIENT1').waitFor();
    await tree.getByText('TEST, PATIENT2').waitFor();

    // The browser's upload path: a folder chosen in the page is uploaded with its structure, then scanned.
    await page.getByTestId('folder-input').setInputFiles(uploadDir);
    await expect.poll(() => text('library-summary'), { timeout: 30_000 }).toMatch(/4 studies · 4 series · 9 instances/);
    await tree.getByText('DROP, PATIENT').waitFor();

    // A real drop event on the window: a DataTransfer holding a DICOM file read by the page.
    const extra = makeLibrary(path.join(root, 'to-drop'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 1, extra: { patientName: 'DRAGGED^PATIENT' } })[0]!;
    const bytes = fs.readFileSync(extra.path).toString('base64');
    const dataTransfer = await page.evaluateHandle(
      `(() => {
        const bin = atob(${JSON.stringify(bytes)});
        const buf = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) buf[i] = bin.charCodeAt(i);
        const dt = new DataTransfer();
        dt.items.add(new File([buf], 'IM-DRAGGED.dcm', { type: 'application/dicom' }));
        return dt;
      })()`,
    );
    await page.dispatchEvent('[data-testid="drop-zone"]', 'dragover', { dataTransfer });
    await page.dispatchEvent('[data-testid="drop-zone"]', 'drop', { dataTransfer });
    await expect.poll(() => text('library-summary'), { timeout: 30_000 }).toMatch(/5 studies · 5 series · 10 instances/);
    await tree.getByText('DRAGGED, PATIENT').waitFor();

    // The skipped file, the duplicate copy and the flagged file, each with its reason.
    expect(await text('library-summary')).toMatch(/1 file skipped · 1 duplicate copy · ⚠ 1 flagged \(pixel data truncated\)/);
    await page.getByText('Problem files (3)').click();
    const problems = page.getByTestId('library-problems');
    await problems.getByText('Not a DICOM file').waitFor();
    const row = (name: string) => problems.getByRole('row').filter({ hasText: name }).textContent();
    expect(await row('notes.txt')).toContain('Skipped');
    expect(await row('copy-of-IM1.dcm')).toContain(`Duplicate copyDuplicate copy of an indexed fileIdentical to ${instances[0]!.path}`);
    expect(await row('/cut/')).toMatch(/Indexed, flaggedPixel data truncatedPixel Data truncated: declares 20000 bytes, the file has 15000/);

    // Expanding a study shows its series, and a series its instances.
    await page.getByRole('button', { name: /^Expand study TEST, PATIENT1/ }).click();
    await page.getByRole('button', { name: /^Expand series Series 1/ }).click();
    await tree.getByText(instances[0]!.sopInstanceUid).waitFor();
    await shot('library');
    await page.getByRole('button', { name: /^Collapse study TEST, PATIENT1/ }).click();
  }, LONG);

  it('adds the second Safekeep as a DICOMweb remote, tests it, and never shows its secret', async () => {
    await nav('Remotes');
    await page.getByText('No remote archive yet').waitFor();
    await page.getByRole('button', { name: 'Add DICOMweb remote' }).click();
    const form = page.getByRole('form', { name: 'Add a DICOMweb remote' });
    // The form checks its input with the contract's schema before saving.
    await form.getByRole('button', { name: 'Save remote' }).click();
    await form.getByText('The base URL must be an absolute http(s) URL').waitFor();
    await form.getByLabel('Name', { exact: true }).fill('Archive B');
    await form.getByLabel('Base URL', { exact: true }).fill(`${archive.url}/dicomweb`);
    await form.getByLabel('Bearer token').fill('archive-secret');
    await form.getByRole('button', { name: 'Save remote' }).click();
    const row = page.getByRole('row', { name: /Archive B/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('secret set');

    await page.getByRole('button', { name: 'Test Archive B' }).click();
    const result = page.locator('[data-testid^="test-result-"]');
    await result.getByText(/works/).waitFor({ timeout: 30_000 });
    // The Test asks the archive to commit one made-up instance; it must come back failed.
    const tested = /Test passed: The commitment service at http:\/\/127\.0\.0\.1:\d+\/dicomweb works: a request for one made-up instance \(Transaction UID (2\.25\.\d+)\) came back failed with 0112H/.exec(
      (await result.textContent()) ?? '',
    );
    expect(tested).not.toBeNull();
    testProbeUid = tested![1]!;

    // Editing shows that a secret is set, not what it is.
    await page.getByRole('button', { name: 'Edit Archive B' }).click();
    const edit = page.getByRole('form', { name: 'Edit Archive B' });
    await edit.getByTestId('secret-state').getByText('Secret set').waitFor();
    expect(await edit.locator('input[type="password"]').count()).toBe(0);
    expect(await page.content()).not.toContain('archive-secret');
    await shot('remotes');
    await edit.getByRole('button', { name: 'Cancel' }).click();
  }, LONG);

  it('sends the selected studies, watches them commit, and shows the failure with its reason', async () => {
    await nav('Library');
    const tree = page.getByTestId('library-tree');
    // Studies sort by date then name: CUT, DRAGGED, DROP, TEST1, TEST2. A shift-click selects the range.
    await tree.getByRole('checkbox', { name: /^Select study TEST, PATIENT1/ }).click();
    await tree.getByRole('checkbox', { name: /^Select study TEST, PATIENT2/ }).click({ modifiers: ['Shift'] });
    await expect.poll(() => text('selection-summary')).toBe('2 studies');
    expect(await tree.getByRole('checkbox', { name: /^Select study DROP, PATIENT/ }).isChecked()).toBe(false);

    await page.getByRole('button', { name: 'Verify selected…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Verify selected' });
    expect(await dialog.getByLabel('Remote archive').inputValue()).not.toBe('');
    await dialog.getByLabel(/One request per study/).check();
    await dialog.getByLabel('Label (optional)').fill('Ward 7 export');
    await dialog.getByRole('button', { name: 'Send commitment request' }).click();

    // Outgoing, live: every instance ends committed except the one the archive lacks.
    await page.getByTestId('outgoing-totals').waitFor();
    await expect.poll(() => text('total-committed'), { timeout: 60_000 }).toBe('5');
    await expect.poll(() => text('total-failed'), { timeout: 60_000 }).toBe('1');
    expect(await text('total-pending')).toBe('0');
    const requests = page.getByTestId('outgoing-requests');
    await requests.getByText('Done, 1 failed').waitFor();
    const rowTexts = await requests.getByRole('row').allTextContents();
    expect(rowTexts).toHaveLength(3); // header + one request per study
    expect(rowTexts.filter((r) => /Archive B/.test(r) && /✓Done/.test(r))).toHaveLength(1);
    // The label typed in the Verify dialog names the job in the list.
    expect(rowTexts.slice(1).every((r) => /#\d+ Ward 7 export/.test(r))).toBe(true);

    await requests.getByRole('row').filter({ hasText: 'Done, 1 failed' }).click();
    const detail = page.getByRole('region', { name: /^Request \d+$/ });
    await detail.getByText('Instances').first().waitFor();
    await detail.getByLabel('Outcome').selectOption('failed');
    const table = page.getByTestId('outgoing-instances');
    await table.getByText(missing.sopInstanceUid).waitFor();
    await table.getByText('0112H No such object instance').waitFor();
    expect(await table.getByRole('row').count()).toBe(2); // header + the failed instance
    await detail.getByLabel('Outcome').selectOption('');
    await expect.poll(() => table.getByRole('row').count()).toBe(4);
    await shot('outgoing');
  }, LONG);

  it('exports the request as CSV and shows the printable report', async () => {
    const detail = page.getByRole('region', { name: /^Request \d+$/ });
    const [download] = await Promise.all([page.waitForEvent('download'), detail.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^safekeep-report-.*\.csv$/);
    const rows = parse(fs.readFileSync((await download.path())!, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(3);
    const failed = rows.filter((r) => r.outcome === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ sop_instance_uid: missing.sopInstanceUid, failure_reason: '0112H', failure_meaning: 'No such object instance', remote: 'Archive B' });
    expect(rows.filter((r) => r.outcome === 'committed').map((r) => r.sop_instance_uid).sort()).toEqual(
      instances.filter((i) => i.studyUid === missing.studyUid && i !== missing).map((i) => i.sopInstanceUid).sort(),
    );

    await detail.getByRole('button', { name: /^Job #\d+ report$/ }).click();
    const report = page.getByRole('article', { name: 'Verification report' });
    await report.waitFor();
    await report.getByText(/Storage commitment report — Job #\d+ — Ward 7 export/).waitFor();
    expect(await text('report-instances')).toBe('6');
    expect(await text('report-committed')).toBe('5');
    expect(await text('report-failed')).toBe('1');
    expect(await text('report-pending')).toBe('0');
    const t = (await report.textContent())!;
    expect(t).toContain('No such object instance');
    expect(t).toContain(missing.sopInstanceUid);
    expect(t).toContain('1 instance(s) are not confirmed');

    // A bar per study, drawn by the chart library, and the per-study table.
    await expect.poll(() => report.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    const studies = page.getByTestId('report-studies');
    await studies.getByText('PID2').waitFor();
    const studyRows = (await studies.getByRole('row').allTextContents()).slice(1);
    // The study with the failure first: patient, accession, date, instances, committed, failed, pending.
    expect(studyRows).toEqual([expect.stringMatching(/^PID22026-01-01321 ?0/), expect.stringMatching(/^PID12026-01-01330 ?0/)]);

    // The CSV's SHA-256 on the sign-off is the SHA-256 of the downloaded bytes.
    const signoff = report.getByRole('region', { name: 'Sign-off' });
    expect(await signoff.getByTestId('signoff-job').textContent()).toMatch(/^#\d+ — Ward 7 export$/);
    expect(await signoff.getByTestId('signoff-archive').textContent()).toBe(`Archive B (${archive.url}/dicomweb)`);
    expect(await signoff.getByTestId('signoff-version').textContent()).toBe(JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
    expect(await signoff.getByTestId('signoff-operator').textContent()).toBe(os.userInfo().username);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const bytes = fs.readFileSync((await csv.path())!);
    await expect.poll(() => signoff.getByTestId('signoff-sha256').textContent()).toBe(createHash('sha256').update(bytes).digest('hex'));
    const csvRows = parse(bytes.toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(csvRows).toHaveLength(6);
    expect(csvRows.every((r) => r.job_label === 'Ward 7 export' && r.patient_id?.startsWith('PID'))).toBe(true);
    await shot('report');

    // The archive's verdicts: the same 6 instances, and the 4 library instances never asked of it (of 10).
    await page.getByLabel('Report on').selectOption({ label: `All verdicts: Archive B (${archive.url}/dicomweb)` });
    await page.getByText('Storage commitment report — every instance verified with Archive B').waitFor();
    expect(await text('report-instances')).toBe('6');
    expect(await text('report-never-asked')).toBe('4');
    const [list] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Safe-to-delete list' }).click()]);
    const paths = fs.readFileSync((await list.path())!, 'utf8').split('\n').filter(Boolean);
    expect(paths.sort()).toEqual(instances.filter((i) => i !== missing).map((i) => i.path).sort());
    await page.getByTestId('safe-to-delete-result').getByText(/Safe to delete: 5 file\(s\).*1 not committed \(failed\); 4 in the library, never asked/).waitFor();
    expect(cspViolations).toEqual([]);
  }, LONG);

  it('creates an access token (shown once) and revokes it after confirming', async () => {
    await nav('Settings');
    await page.getByLabel('Client name').fill('e2e-client');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = (await page.getByTestId('new-token').textContent())!;
    expect(secret.length).toBeGreaterThan(20);
    const row = page.getByRole('row', { name: /e2e-client/ });
    expect(await row.textContent()).toContain(`${secret.slice(0, 4)}…`);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(secret);
    await page.getByRole('button', { name: 'Revoke token of e2e-client' }).click();
    await page.getByRole('dialog', { name: /Revoke the token/ }).getByRole('button', { name: 'Revoke token' }).click();
    await row.getByText(/Revoked/).waitFor();
    await shot('settings');
  }, LONG);

  it("shows the requests in the archive's own Incoming view", async () => {
    const other = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const p = await other.newPage();
    await p.goto(archiveLogin);
    await nav('Incoming', p);
    const list = p.getByTestId('incoming-transactions');
    // Header, the two requests, and the remote Test's request for one made-up instance.
    await expect.poll(() => list.getByRole('row').count(), { timeout: 30_000 }).toBe(4);
    expect(await list.getByRole('row').filter({ hasText: 'pacs' }).count()).toBe(3);
    expect(await list.getByRole('row').filter({ hasText: testProbeUid }).count()).toBe(1);
    await list.getByRole('row').filter({ hasText: 'Done, 1 failed' }).filter({ hasNotText: testProbeUid }).click();
    const detail = p.getByRole('region', { name: /^Transaction / });
    await detail.getByText('DICOMweb request from pacs').waitFor();
    const table = p.getByTestId('incoming-instances');
    await table.getByText('0112H No such object instance').waitFor();
    await table.getByText(missing.sopInstanceUid).waitFor();
    expect(await table.getByText('Committed').count()).toBe(2);
    await shot('incoming', p);
    await other.close();
  }, LONG);

  it('keeps the browser logged in when serve restarts on the same data folder and port', async () => {
    await nav('Library');
    const port = new URL(app.url).port;
    app.child.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
    app = await startServe(['--data', path.join(root, 'dataA'), '--token', 'ui=app-secret', '--port', port]);
    expect(app.url).toBe(`http://127.0.0.1:${port}`);
    await page.reload();
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
    expect(await page.getByLabel('Access token').count()).toBe(0);
    await expect.poll(() => text('library-summary'), { timeout: 30_000 }).toMatch(/5 studies · 5 series · 10 instances/);
    await page.getByText('Live').waitFor();
    // Logging out ends the session for good: the login screen, also after a reload.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Access token').waitFor();
    await page.reload();
    await page.getByLabel('Access token').waitFor();
  }, LONG);
});
