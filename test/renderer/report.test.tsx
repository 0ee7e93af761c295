// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PreloadApi } from '../../src-shared/contract/client';
import type { ArchiveRef, ReportScope, ReportStudyRow, ReportSummary } from '../../src-shared/report';
import { ReportScreen } from '../../src-renderer/src/screens/report/ReportScreen';
import { useNavigation } from '../../src-renderer/src/state/navigation';
import { FakeApi } from './support/fake-api';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';

setupDom();

/** jsdom's Blob has no text(): read it as the page would. */
const textOf = (blob: Blob) =>
  new Promise<string>((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.readAsText(blob);
  });

const ARCHIVES: ArchiveRef[] = [
  { remoteId: 1, name: 'PACS', kind: 'dimse', address: 'PACS@pacs.local:104', verdicts: 6 },
  { remoteId: 2, name: 'VNA', kind: 'dicomweb', address: 'https://vna/dicomweb', verdicts: 0 },
];

const ABORT = 'association aborted by PACS (A-ABORT, source: service-provider, reason: 2)';

function summary(scope: ReportScope): ReportSummary {
  const job = scope.jobId !== undefined;
  return {
    generatedAt: Date.UTC(2026, 0, 2, 10, 0, 0),
    view: job ? 'job' : 'archive',
    archives: [ARCHIVES[0]!],
    job: job ? { id: scope.jobId!, label: 'Ward 7 export', createdAt: 0 } : null,
    requests: 3,
    studies: 2,
    totals: { instances: 6, committed: 4, failed: 1, pending: 1, neverAsked: job ? null : 2 },
    failureReasons: [{ code: null, meaning: ABORT, count: 1 }],
    failed: [{ studyUid: '1.2.3', sopInstanceUid: '1.2.3.4.5', filePath: '/data/IM5', transactionUid: '2.25.9', reason: ABORT }],
    operator: 'jdoe',
    version: '0.1.0',
  };
}

const study = (k: number, p: Partial<ReportStudyRow> = {}): ReportStudyRow => ({
  studyUid: `1.2.3.${k}`,
  patientId: `PID${k}`,
  accessionNumber: `ACC${k}`,
  studyDate: '20260101',
  instances: 3,
  committed: 3,
  failed: 0,
  pending: 0,
  ...p,
});

function reportApi(studies: ReportStudyRow[] = [study(1, { committed: 1, failed: 1, pending: 1 }), study(2)]): FakeApi {
  return new FakeApi()
    .on('report-archives', () => ARCHIVES)
    .on('report-summary', summary)
    .on('report-studies', ({ limit = 200, offset = 0 }) => ({ rows: studies.slice(offset, offset + limit), total: studies.length }))
    .on('report-csv', () => ({ filename: 'safekeep-report-pacs.csv', csv: 'study_instance_uid\n1.2.3\n', sha256: 'c0ffee'.padEnd(64, '0'), rows: 1 }))
    .on('report-safe-to-delete', () => ({
      filename: 'safekeep-report-pacs-safe-to-delete.txt',
      text: '/data/IM1\n/data/IM2\n',
      sha256: 'f'.repeat(64),
      files: 2,
      leftOut: { changed: 1, missing: 1, unknownState: 0, unlistable: 0, failed: 1, pending: 1, neverAsked: 2 },
      archive: ARCHIVES[0]!,
    }));
}

describe('Report screen', () => {
  let downloads: { name: string; blob: Blob }[];
  beforeEach(() => {
    downloads = [];
    let last: Blob | null = null;
    URL.createObjectURL = vi.fn((b: Blob) => ((last = b), 'blob:fake'));
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push({ name: this.download, blob: last! });
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it("an archive's verdicts: totals that add up, never asked, a bar per study, the studies, whole failure texts, the sign-off", async () => {
    useNavigation.setState({ route: { screen: 'report', report: { kind: 'all' } } });
    const api = reportApi();
    renderWithApi(<ReportScreen />, { client: api });
    const report = await screen.findByRole('article', { name: 'Verification report' });
    // "All" opens the first archive with verdicts.
    expect(api.callsOf('report-summary')).toEqual([{ remoteId: 1 }]);
    expect((screen.getByLabelText('Report on') as HTMLSelectElement).value).toBe('archive:1');
    expect(report.textContent).toContain('Storage commitment report — every instance verified with PACS');
    const totals = within(report).getByRole('table', { name: 'Totals' });
    expect(within(totals).getAllByRole('row').map((r) => r.textContent)).toEqual([
      'Instances6',
      '✓ Committed466.7 %',
      '✕ Failed116.7 %',
      '◷ Pending116.7 %',
      '– Never asked (in the library, no verdict here)2',
    ]);
    expect(report.textContent).toContain('2 instance(s) are not confirmed: do not delete their local copies.');
    expect(report.textContent).toContain('2 library instance(s) were never asked of this archive.');

    const chart = within(report).getByRole('figure', { name: 'Outcomes per study' });
    await waitFor(() => expect(chart.querySelectorAll('.recharts-bar').length).toBe(3));
    const table = await within(report).findByRole('grid', { name: 'Studies' });
    await within(table).findByText('PID1');
    expect(within(table).getAllByRole('row')[1]!.textContent).toMatch(/^PID1ACC12026-01-01311\d*1/);

    // Reasons are never cut at a colon.
    expect(within(report).getAllByText(ABORT)).toHaveLength(2);

    const signoff = within(report).getByRole('region', { name: 'Sign-off' });
    expect(within(signoff).getByTestId('signoff-archive').textContent).toBe('PACS (PACS@pacs.local:104)');
    expect(within(signoff).getByTestId('signoff-operator').textContent).toBe('jdoe');
    expect(within(signoff).getByTestId('signoff-version').textContent).toBe('0.1.0');
    expect(within(signoff).getByTestId('signoff-job').textContent).toBe('every job (the latest outcome per instance)');
    expect(within(signoff).getByTestId('signoff-sha256').textContent).toMatch(/Download the CSV/);
  });

  it('downloads the CSV and shows its SHA-256 on the sign-off; downloads the safe-to-delete list and says what was left out', async () => {
    useNavigation.setState({ route: { screen: 'report', report: { kind: 'archive', remoteId: 1 } } });
    const api = reportApi();
    renderWithApi(<ReportScreen />, { client: api });
    const user = userEvent.setup();
    await screen.findByRole('article', { name: 'Verification report' });
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    expect(api.callsOf('report-csv')).toEqual([{ remoteId: 1 }]);
    expect(downloads[0]!.name).toBe('safekeep-report-pacs.csv');
    expect(await textOf(downloads[0]!.blob)).toBe('study_instance_uid\n1.2.3\n');
    expect(screen.getByTestId('signoff-sha256').textContent).toBe('c0ffee'.padEnd(64, '0'));

    await user.click(screen.getByRole('button', { name: 'Safe-to-delete list' }));
    await waitFor(() => expect(downloads).toHaveLength(2));
    expect(api.callsOf('report-safe-to-delete')).toEqual([{ remoteId: 1 }]);
    expect(await textOf(downloads[1]!.blob)).toBe('/data/IM1\n/data/IM2\n');
    const said = screen.getByTestId('safe-to-delete-result').textContent!;
    expect(said).toContain('Safe to delete: 2 file(s) committed by PACS (PACS@pacs.local:104) and unchanged since verified.');
    expect(said).toContain('1 committed, but the file changed since it was verified');
    expect(said).toContain('2 in the library, never asked of this archive');
  });

  it('opened from a job: the job view with its label, and the archive picker switches to the verdicts', async () => {
    useNavigation.setState({ route: { screen: 'report', report: { kind: 'job', jobId: 4 } } });
    const api = reportApi();
    renderWithApi(<ReportScreen />, { client: api });
    const report = await screen.findByRole('article', { name: 'Verification report' });
    expect(api.callsOf('report-summary')).toEqual([{ jobId: 4 }]);
    await within(report).findByText(/Storage commitment report — Job #4 — Ward 7 export/);
    expect(within(report).getByTestId('signoff-job').textContent).toBe('#4 — Ward 7 export');
    expect(within(report).queryByText(/Never asked/)).toBeNull();
    const picker = screen.getByLabelText('Report on') as HTMLSelectElement;
    expect([...picker.options].map((o) => o.textContent)).toEqual([
      'Job #4 — Ward 7 export',
      'All verdicts: PACS (PACS@pacs.local:104)',
      'All verdicts: VNA (https://vna/dicomweb)',
    ]);
    await userEvent.setup().selectOptions(picker, 'archive:1');
    expect(useNavigation.getState().route).toEqual({ screen: 'report', report: { kind: 'archive', remoteId: 1 } });
    await waitFor(() => expect(api.callsOf('report-summary')).toContainEqual({ remoteId: 1 }));
  });

  it('5,000 studies: the table fetches only the pages on screen', async () => {
    useNavigation.setState({ route: { screen: 'report', report: { kind: 'archive', remoteId: 1 } } });
    const api = reportApi(Array.from({ length: 5000 }, (_, k) => study(k)));
    renderWithApi(<ReportScreen />, { client: api });
    const table = await screen.findByRole('grid', { name: 'Studies' });
    await within(table).findByText('PID0');
    expect(table.getAttribute('aria-rowcount')).toBe('5001');
    expect(within(table).getAllByRole('row').length).toBeLessThan(60);
    expect(api.callsOf('report-studies')).toEqual(expect.arrayContaining([{ remoteId: 1, limit: 40, offset: 0 }, { remoteId: 1, limit: 200, offset: 0 }]));
    expect(api.callsOf('report-studies')).toHaveLength(2);
  });

  it('prints in the browser, and saves a PDF through the Electron bridge', async () => {
    useNavigation.setState({ route: { screen: 'report', report: { kind: 'job', jobId: 4 } } });
    const print = vi.spyOn(window, 'print').mockImplementation(() => undefined);
    renderWithApi(<ReportScreen />, { client: reportApi() });
    await screen.findByRole('article', { name: 'Verification report' });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Print…' }));
    expect(print).toHaveBeenCalled();

    const printToPdf = vi.fn(async () => '/home/u/report.pdf');
    const preload = { send: vi.fn(), on: vi.fn(), pathsOf: vi.fn(), printToPdf } as unknown as PreloadApi;
    useNavigation.setState({ route: { screen: 'report', report: { kind: 'requests', requestIds: [7] } } });
    renderWithApi(<ReportScreen />, { client: reportApi(), api: { preload } });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Save as PDF…' }));
    expect(printToPdf).toHaveBeenCalledWith('safekeep-report-request-7.pdf');
  });

  it('says when nothing was verified yet', async () => {
    useNavigation.setState({ route: { screen: 'report', report: { kind: 'all' } } });
    renderWithApi(<ReportScreen />, { client: new FakeApi().on('report-archives', () => []) });
    await screen.findByText('Nothing verified yet');
  });
});
