// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { CrossCheckResult } from '../../src-shared/crosscheck';
import type { ResendSummary } from '../../src-shared/resend';
import { ReportScreen } from '../../src-renderer/src/screens/report/ReportScreen';
import { useNavigation } from '../../src-renderer/src/state/navigation';
import { FakeApi } from './support/fake-api';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';
import { archiveSummary, reportApi, studyRow } from './support/report-fixtures';

setupDom();

const SUMMARY = archiveSummary({ failureReasons: [{ code: 0x0112, meaning: 'No such object instance', count: 2 }] });
const inst = (uid: string, verdict: 'committed' | 'failed' | null) => ({ sopInstanceUid: uid, seriesUid: '1.9', filePath: `/data/${uid}`, verdict });

function api(): FakeApi {
  return reportApi(SUMMARY, [studyRow(1), studyRow(2)]);
}

describe('Report screen: finish the migration', () => {
  it('"Send missing and verify" sends the archive\'s studies, shows the live progress, then the rounds and what is left', async () => {
    useNavigation.setState({ route: { screen: 'report', report: { kind: 'archive', remoteId: 1 } } });
    let finish!: (s: ResendSummary) => void;
    const fake = api().on('migration-send-missing', () => new Promise<ResendSummary>((r) => (finish = r)));
    renderWithApi(<ReportScreen />, { client: fake });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Send missing and verify' }));
    await waitFor(() => expect(fake.callsOf('migration-send-missing')).toEqual([{ remoteId: 1, selection: { studies: ['1.2.3.1', '1.2.3.2'] }, rounds: 3 }]));
    fake.emit('resend-progress', { remoteId: 1, runId: 1, round: 1, rounds: 3, phase: 'sending', done: 1, total: 2, stored: 1, bytes: 5e6, instancesPerSecond: 2.5, megabytesPerSecond: 12.5, secondsLeft: 1 });
    expect((await screen.findByTestId('resend-progress')).textContent).toBe('Round 1 of 3: 1 of 2 sent, 1 stored · 2.5 instances/s, 12.5 MB/s, 1 s left');
    finish({
      runId: 1,
      remoteId: 1,
      end: 'rounds-spent',
      selected: 2,
      notResendable: [{ code: 0x0119, count: 1, why: '0119H Class/Instance conflict: the archive holds a different object under that UID; not re-sent' }],
      rounds: [{ round: 1, selected: 2, stored: 1, notStored: { 'file-changed': 1 }, jobId: 7, committed: 1, failed: 0, pending: 0 }],
      committedAfterResend: 1,
      left: [{ sopInstanceUid: '1.5', filePath: '/data/IM5', why: 'file-changed: file changed since the scan: …; commitment: 0112H No such object instance' }],
      leftCount: 1,
    });
    const result = await screen.findByTestId('resend-result');
    expect(result.textContent).toContain('1 of 2 missing instance(s) committed after re-send; 1 still not committed.');
    expect(within(result).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Not re-sent: 1 × 0119H Class/Instance conflict: the archive holds a different object under that UID; not re-sent',
      'Round 1: stored 1 of 2, 1 file-changed; 1 committed, 0 failed',
      'Not committed: /data/IM5 — file-changed: file changed since the scan: …; commitment: 0112H No such object instance',
    ]);
    expect(screen.queryByTestId('resend-progress')).toBeNull();
  });

  it('"Compare" shows each study beside the archive\'s listing and names the disagreements', async () => {
    useNavigation.setState({ route: { screen: 'report', report: { kind: 'archive', remoteId: 1 } } });
    const result: CrossCheckResult = {
      remoteId: 1,
      remoteName: 'PACS',
      via: 'C-FIND',
      source: 'PACS@pacs.local:104',
      checkedAt: 0,
      studies: [
        { studyUid: '1.2.3.1', patientId: 'PID1', accessionNumber: null, studyDate: null, local: 2, listed: 1, archiveOnly: 0, committed: 2, notListed: [inst('1.7', 'committed')], committedNotListed: [inst('1.7', 'committed')], listedNotCommitted: [], error: null },
        { studyUid: '1.2.3.2', patientId: 'PID2', accessionNumber: null, studyDate: null, local: 2, listed: 0, archiveOnly: 0, committed: 0, notListed: [], committedNotListed: [], listedNotCommitted: [], error: 'C-FIND of study 1.2.3.2 at PACS ended with A700H Refused: Out of Resources' },
      ],
      totals: { studies: 2, local: 4, listed: 1, notListed: 1, committedNotListed: 1, listedNotCommitted: 0, errors: 1 },
      allListed: false,
    };
    const fake = api().on('migration-compare', () => result);
    renderWithApi(<ReportScreen />, { client: fake });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Compare with the archive’s listing' }));
    const shown = await screen.findByTestId('compare-result');
    expect(fake.callsOf('migration-compare')).toEqual([{ remoteId: 1, selection: { studies: ['1.2.3.1', '1.2.3.2'] } }]);
    expect(shown.textContent).toContain('C-FIND at PACS@pacs.local:104: 1 of 4 local instance(s) listed; 1 committed but not listed, 0 listed but not committed; 1 study(ies) could not be asked.');
    const rows = within(shown).getAllByRole('row').slice(1);
    expect(rows[0]!.textContent).toContain('Committed but not listed: 1');
    expect(rows[0]!.textContent).toContain('/data/1.7 (1.7) — committed');
    expect(rows[1]!.textContent).toContain('Not checked: C-FIND of study 1.2.3.2 at PACS ended with A700H Refused: Out of Resources');
  });

  it("a job's report offers the same, on the job's studies", async () => {
    useNavigation.setState({ route: { screen: 'report', report: { kind: 'job', jobId: 3 } } });
    const fake = api()
      .on('report-summary', (scope) => ({ ...SUMMARY, view: scope.jobId ? 'job' : 'all-archives', job: { id: 3, label: 'Ward 7', createdAt: 0 } }))
      .on('migration-compare', () => ({ remoteId: 1, remoteName: 'PACS', via: 'C-FIND', source: 'PACS@pacs.local:104', checkedAt: 0, studies: [], totals: { studies: 0, local: 0, listed: 0, notListed: 0, committedNotListed: 0, listedNotCommitted: 0, errors: 0 }, allListed: true }));
    renderWithApi(<ReportScreen />, { client: fake });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Compare with the archive’s listing' }));
    await screen.findByTestId('compare-result');
    expect(fake.callsOf('report-studies').at(-1)).toEqual({ jobId: 3, limit: 100_000, offset: 0 });
    expect(fake.callsOf('migration-compare')).toEqual([{ remoteId: 1, selection: { studies: ['1.2.3.1', '1.2.3.2'] } }]);
  });
});
