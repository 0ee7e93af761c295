// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ContentSummary } from '../../src-shared/content';
import type { RemoteView } from '../../src-shared/remotes';
import { VerifyDialog } from '../../src-renderer/src/screens/library/VerifyDialog';
import { ReportScreen } from '../../src-renderer/src/screens/report/ReportScreen';
import { useNavigation } from '../../src-renderer/src/state/navigation';
import { FakeApi } from './support/fake-api';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';
import { archiveSummary, reportApi, studyRow } from './support/report-fixtures';

setupDom();

const SUMMARY = archiveSummary({ totals: { instances: 4, committed: 3, failed: 1, pending: 0, neverAsked: 0 } });
const RESULT: ContentSummary = {
  runId: 3,
  remoteId: 1,
  via: 'C-GET',
  source: 'PACS@pacs.local:104',
  sample: 10,
  committed: 4,
  checked: 2,
  counts: { same: 0, transcoded: 1, differs: 1, 'not-retrievable': 0, 'local-changed': 0 },
  end: 'done',
  startedAt: 0,
  finishedAt: null,
  notSame: [
    { sopInstanceUid: '1.5', studyUid: '1.2.3.1', seriesUid: '1.9', filePath: '/data/IM5', outcome: 'differs', attribute: '(0010,0010) PatientName', text: 'content differs: (0010,0010) PatientName: local "A", archive "B"', bytes: 10, at: 0 },
    { sopInstanceUid: '1.6', studyUid: '1.2.3.2', seriesUid: '1.8', filePath: '/data/IM6', outcome: 'transcoded', attribute: null, text: 'archive holds a transcoded copy: JPEG-LS Lossless (1.2.840.10008.1.2.4.80) (pixel data not compared)', bytes: 10, at: 0 },
  ],
  notSameCount: 2,
};

describe('Report screen: verify content', () => {
  it('asks for a 10% sample of the archive\'s studies, shows the live progress, then the differing instance with its first attribute', async () => {
    useNavigation.setState({ route: { screen: 'report', report: { kind: 'archive', remoteId: 1 } } });
    let finish!: (s: ContentSummary) => void;
    const fake = reportApi(SUMMARY, [studyRow(1, 2), studyRow(2, 2)])
      .on('migration-content-result', () => null)
      .on('migration-verify-content', () => new Promise<ContentSummary>((r) => (finish = r)));
    renderWithApi(<ReportScreen />, { client: fake });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Verify content' }));
    await waitFor(() => expect(fake.callsOf('migration-verify-content')).toEqual([{ remoteId: 1, selection: { studies: ['1.2.3.1', '1.2.3.2'] }, sample: 10 }]));
    fake.emit('content-progress', { remoteId: 1, runId: 3, done: 1, total: 2, counts: { ...RESULT.counts, transcoded: 0 }, bytes: 10, instancesPerSecond: 4, megabytesPerSecond: 2.5, secondsLeft: 1 });
    expect((await screen.findByTestId('content-progress')).textContent).toBe('1 of 2 compared, 1 differ · 4 instances/s, 2.5 MB/s, 1 s left');
    finish(RESULT);
    const result = await screen.findByTestId('content-result');
    expect(result.textContent).toContain('2 compared — 0 the same, 1 transcoded, 1 differ, 0 not retrievable, 0 changed locally');
    const differs = within(result).getByRole('row', { name: /IM5/ });
    expect(differs.textContent).toContain('Differs');
    expect(differs.textContent).toContain('content differs: (0010,0010) PatientName');
    expect(within(result).getByRole('row', { name: /IM6/ }).textContent).toContain('archive holds a transcoded copy: JPEG-LS Lossless');
  });

  it('an invalid percentage cannot be sent', async () => {
    useNavigation.setState({ route: { screen: 'report', report: { kind: 'archive', remoteId: 1 } } });
    const fake = reportApi(SUMMARY, [studyRow(1, 2)]).on('migration-content-result', () => RESULT);
    renderWithApi(<ReportScreen />, { client: fake });
    // The latest check is shown before any new one.
    expect((await screen.findByTestId('content-result')).textContent).toContain('1 differ');
    const user = userEvent.setup();
    const percent = screen.getByLabelText('Sample percentage');
    await user.clear(percent);
    await user.type(percent, '250');
    expect(screen.getByRole('alert').textContent).toBe('A percentage greater than 0 and at most 100.');
    expect(screen.getByRole('button', { name: 'Verify content' }).hasAttribute('disabled')).toBe(true);
  });
});

describe('Verify dialog: verify content', () => {
  it('"All committed instances": the content check is asked for the new job\'s requests, after them', async () => {
    const remote: RemoteView = {
      id: 1, name: 'VNA', kind: 'dicomweb', hasSecret: false, createdAt: 0, updatedAt: 0, lastTest: null,
      config: { baseUrl: 'https://vna/dicomweb', auth: 'none', caFile: null, insecureSkipVerify: false, timeoutSeconds: 60, maxInstancesPerRequest: 1000, concurrency: 4, deadlineHours: 24 },
    } as RemoteView;
    const fake = new FakeApi()
      .on('remotes-list', () => [remote])
      .on('library-count-selection', () => ({ instances: 4 }))
      .on('outgoing-create', () => ({ jobId: 9, requestIds: [21, 22], instances: 4 }))
      .on('migration-verify-content', () => ({ ...RESULT, sample: 'all' }));
    renderWithApi(<VerifyDialog selection={{ studies: ['1.2.3'] }} summary="1 study" onClose={() => {}} onCreated={() => {}} />, { client: fake });
    const dialog = await screen.findByRole('dialog', { name: 'Verify selected' });
    const user = userEvent.setup();
    await user.click(await within(dialog).findByRole('radio', { name: /All committed instances/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Send commitment request' }));
    await waitFor(() => expect(fake.callsOf('migration-verify-content')).toEqual([{ remoteId: 1, selection: { studies: ['1.2.3'] }, sample: 'all', afterRequestIds: [21, 22] }]));
  });

  it('off by default: no content check is asked', async () => {
    const fake = new FakeApi()
      .on('remotes-list', () => [{ id: 1, name: 'VNA', kind: 'dimse', hasSecret: false, createdAt: 0, updatedAt: 0, lastTest: null, config: { aeTitle: 'VNA', host: 'vna', port: 104, callingAeTitle: 'SAFEKEEP', timeoutSeconds: 30, maxInstancesPerRequest: 1000 } } as unknown as RemoteView])
      .on('library-count-selection', () => ({ instances: 4 }))
      .on('outgoing-create', () => ({ jobId: 9, requestIds: [21], instances: 4 }));
    renderWithApi(<VerifyDialog selection={{ studies: ['1.2.3'] }} summary="1 study" onClose={() => {}} onCreated={() => {}} />, { client: fake });
    const dialog = await screen.findByRole('dialog', { name: 'Verify selected' });
    expect(((await within(dialog).findByRole('radio', { name: 'Off' })) as HTMLInputElement).checked).toBe(true);
    await userEvent.setup().click(within(dialog).getByRole('button', { name: 'Send commitment request' }));
    await waitFor(() => expect(fake.callsOf('outgoing-create')).toHaveLength(1));
    expect(fake.callsOf('migration-verify-content')).toEqual([]);
  });
});
