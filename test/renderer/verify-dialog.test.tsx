// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { RemoteView } from '../../src-shared/remotes';
import { VerifyDialog } from '../../src-renderer/src/screens/library/VerifyDialog';
import { RequestDetail } from '../../src-renderer/src/screens/outgoing/RequestDetail';
import { RemotesScreen } from '../../src-renderer/src/screens/remotes/RemotesScreen';
import { formatTime } from '../../src-renderer/src/ui/format';
import { FakeApi } from './support/fake-api';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';
import { request } from './support/rows';

setupDom();

const TESTED_AT = new Date(2026, 0, 5, 9, 30, 0).getTime();
const config = { baseUrl: 'https://vna/dicomweb', auth: 'none' as const, caFile: null, insecureSkipVerify: false, timeoutSeconds: 60, maxInstancesPerRequest: 1000, concurrency: 4, deadlineHours: 24 };
const GOOD: RemoteView = { id: 1, name: 'VNA', kind: 'dicomweb', hasSecret: false, createdAt: 0, updatedAt: 0, config, lastTest: { ok: true, message: 'The commitment service works', at: TESTED_AT } };
const ORTHANC: RemoteView = {
  id: 2,
  name: 'Orthanc',
  kind: 'dicomweb',
  hasSecret: false,
  createdAt: 0,
  updatedAt: 0,
  config: { ...config, baseUrl: 'http://orthanc:8042/dicom-web' },
  lastTest: { ok: false, message: 'This archive does not offer DICOMweb storage commitment at http://orthanc:8042/dicom-web', at: TESTED_AT },
};

function api(instances: number): FakeApi {
  return new FakeApi().on('remotes-list', () => [GOOD, ORTHANC]).on('library-count-selection', () => ({ instances }));
}

describe('Verify dialog', () => {
  it('says how many instances the selection holds, asking the core for that selection', async () => {
    const fake = api(1977);
    renderWithApi(<VerifyDialog selection={{ studies: ['1.2.3', '1.2.4'] }} summary="2 studies" onClose={() => {}} onCreated={() => {}} />, { client: fake });
    const dialog = await screen.findByRole('dialog', { name: 'Verify selected' });
    await waitFor(() => expect(within(dialog).getByTestId('verify-instance-count').textContent).toBe('1,977'));
    expect(dialog.textContent).toContain('2 studies — 1,977 instances.');
    expect(fake.callsOf('library-count-selection')).toEqual([{ selection: { studies: ['1.2.3', '1.2.4'] } }]);
    expect(within(dialog).getByRole('button', { name: 'Send commitment request' }).hasAttribute('disabled')).toBe(false);
  });

  it('cannot send a selection without indexed instances', async () => {
    renderWithApi(<VerifyDialog selection={{ paths: ['/empty'] }} summary="1 folder" onClose={() => {}} onCreated={() => {}} />, { client: api(0) });
    const dialog = await screen.findByRole('dialog', { name: 'Verify selected' });
    await within(dialog).findByText('The selection holds no indexed instance: there is nothing to verify.');
    expect(within(dialog).getByRole('button', { name: 'Send commitment request' }).hasAttribute('disabled')).toBe(true);
  });

  it('marks remotes whose last Test failed, and says why for the chosen one', async () => {
    renderWithApi(<VerifyDialog selection={{ studies: ['1.2.3'] }} summary="1 study" onClose={() => {}} onCreated={() => {}} />, { client: api(6) });
    const dialog = await screen.findByRole('dialog', { name: 'Verify selected' });
    const picker = await within(dialog).findByLabelText('Remote archive');
    expect(within(picker).getByRole('option', { name: /^Orthanc/ }).textContent).toMatch(/— ⚠ last Test failed$/);
    expect(within(picker).getByRole('option', { name: /^VNA/ }).textContent).not.toMatch(/last Test/);
    expect(within(dialog).queryByTestId('verify-remote-warning')).toBeNull();
    await userEvent.setup().selectOptions(picker, '2');
    const warning = within(dialog).getByTestId('verify-remote-warning');
    expect(warning.textContent).toContain(`The last Test of Orthanc failed (${formatTime(TESTED_AT)}): This archive does not offer DICOMweb storage commitment`);
  });
});

describe('Remotes list', () => {
  it('shows each remote’s stored last Test, marking the failed ones', async () => {
    renderWithApi(<RemotesScreen />, { client: new FakeApi().on('remotes-list', () => [GOOD, ORTHANC]) });
    const row = await screen.findByRole('row', { name: /Orthanc/ });
    expect(within(row).getByRole('rowheader').textContent).toContain('last Test failed');
    expect(screen.getByTestId('test-result-2').textContent).toBe(
      `✕ Last test failed: This archive does not offer DICOMweb storage commitment at http://orthanc:8042/dicom-web (tested ${formatTime(TESTED_AT)})`,
    );
    expect(screen.getByTestId('test-result-1').textContent).toContain('Last test passed: The commitment service works');
    expect(within(screen.getByRole('row', { name: /VNA/ })).getByRole('rowheader').textContent).not.toContain('last Test failed');
  });
});

describe('Outgoing request detail', () => {
  it('says what is happening, in the same words as the CLI', async () => {
    const now = Date.now();
    const r = request({ id: 8, remoteId: 1, state: 'queued', attempts: 4, sentAt: now - 60_000, nextAttemptAt: now + 40_000, status: 500, error: 'HTTP 500 from the archive: Database is locked; retrying' });
    const fake = new FakeApi()
      .on('outgoing-get', () => r)
      .on('outgoing-instances', () => ({ rows: [], total: 0 }))
      .on('remotes-list', () => [GOOD]);
    renderWithApi(<RequestDetail id={8} />, { client: fake });
    await waitFor(() => expect(screen.getByTestId('request-situation').textContent).toMatch(/^Now: archive answered HTTP 500; retry 4 in \d+ s; gives up at (tomorrow )?\d\d:\d\d$/));
  });
});
