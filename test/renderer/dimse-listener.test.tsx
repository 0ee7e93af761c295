// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../src-shared/contract/handlers';
import type { DimseListenerState } from '../../src-shared/dimse';
import type { RemoteView } from '../../src-shared/remotes';
import { useLiveUpdates } from '../../src-renderer/src/data/live-updates';
import { VerifyDialog } from '../../src-renderer/src/screens/library/VerifyDialog';
import { RequestDetail } from '../../src-renderer/src/screens/outgoing/RequestDetail';
import { RemotesScreen } from '../../src-renderer/src/screens/remotes/RemotesScreen';
import { SettingsScreen } from '../../src-renderer/src/screens/settings/SettingsScreen';
import { FakeApi } from './support/fake-api';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';
import { request, settingsRow } from './support/rows';

setupDom();

const LISTENING: DimseListenerState = {
  state: 'listening',
  aeTitle: 'SAFEKEEP',
  otherAeTitles: [],
  host: '127.0.0.1',
  port: 11112,
  addresses: ['10.0.0.7'],
  detail: null,
  restartNeeded: false,
};

const PACS: RemoteView = {
  id: 2,
  name: 'PACS',
  kind: 'dimse',
  hasSecret: false,
  createdAt: 0,
  updatedAt: 0,
  config: { aeTitle: 'PACS', host: 'pacs.hospital', port: 104, callingAeTitle: 'SAFEKEEP', timeoutSeconds: 30, maxInstancesPerRequest: 1000, concurrency: 2, deadlineHours: 24 },
};
const LOCAL: RemoteView = { ...PACS, id: 3, name: 'Local Orthanc', config: { ...PACS.config, aeTitle: 'ORTHANC', host: '127.0.0.1', port: 4242, callingAeTitle: 'WS1' } };

function api(listener: DimseListenerState = LISTENING, remotes: RemoteView[] = [PACS, LOCAL]): FakeApi {
  return new FakeApi().on('dimse-listener', () => listener).on('remotes-list', () => remotes);
}

const status = () => screen.findByRole('status', { name: 'DICOM listener' });

function Live() {
  useLiveUpdates(0);
  return null;
}

describe('the DICOM listener on the screens that send to a DIMSE archive', () => {
  it('Remotes: where it listens, and which archive cannot reach it', async () => {
    renderWithApi(<RemotesScreen />, { client: api() });
    const s = await status();
    expect(s.textContent).toContain('DICOM listener: Listening as SAFEKEEP on 127.0.0.1:11112');
    expect(s.textContent).toContain(
      "PACS: Safekeep's DICOM listener is bound to 127.0.0.1, which the archive at pacs.hospital cannot reach: set the DICOM listen address in Settings (or --dimse-host) to this machine's address or 0.0.0.0",
    );
    expect(s.textContent).not.toContain('Local Orthanc');
  });

  it("Remotes: a listener that could not start says why, and the screen follows the core's events", async () => {
    const fake = api({ ...LISTENING, state: 'failed', detail: 'port 11112 on 127.0.0.1 is in use (by another Safekeep or DICOM program?): choose another DICOM port in Settings' });
    renderWithApi(
      <>
        <Live />
        <RemotesScreen />
      </>,
      { client: fake },
    );
    expect((await status()).textContent).toContain('Not running: port 11112 on 127.0.0.1 is in use (by another Safekeep or DICOM program?): choose another DICOM port in Settings');
    expect(within(await status()).getByRole('link', { name: 'Settings' }).getAttribute('href')).toBe('#/settings');
    act(() => fake.emit('dimse-listener-changed', { ...LISTENING, host: '0.0.0.0', port: 11113 }));
    await waitFor(() => expect(screen.getByRole('status', { name: 'DICOM listener' }).textContent).toContain('Listening as SAFEKEEP on 0.0.0.0:11113'));
    // Bound to every interface: the archive elsewhere can reach it.
    expect(screen.getByRole('status', { name: 'DICOM listener' }).textContent).not.toContain('cannot reach');
  });

  it("the DIMSE remote form shows Safekeep's own AE title, host and port to copy into the archive", async () => {
    renderWithApi(<RemotesScreen />, { client: api({ ...LISTENING, host: '0.0.0.0' }) });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit Local Orthanc' }));
    const form = screen.getByRole('form', { name: 'Edit Local Orthanc' });
    const own = within(form).getByRole('status', { name: 'DICOM listener' });
    const facts = () => Object.fromEntries([...own.querySelectorAll('dl.own-address > div')].map((d) => [d.querySelector('dt')!.textContent, d.querySelector('dd')!.textContent]));
    expect(facts()).toEqual({ 'AE title': 'WS1', Host: '10.0.0.7', Port: '11112' });
    await user.clear(within(form).getByLabelText('Calling AE title'));
    await user.type(within(form).getByLabelText('Calling AE title'), 'MIGRATION');
    expect(facts()['AE title']).toBe('MIGRATION');
  });

  it('the Verify dialog shows where the report of the chosen DIMSE archive goes', async () => {
    renderWithApi(<VerifyDialog selection={{ studies: ['1.2.3'] }} summary="1 study" onClose={() => {}} onCreated={() => {}} />, { client: api(LISTENING, [LOCAL]) });
    const s = await status();
    expect(s.textContent).toContain('Listening as SAFEKEEP on 127.0.0.1:11112');
    expect(s.textContent).toContain('Reports go to WS1 at 127.0.0.1:11112.');
  });

  it('a DIMSE request shows the report deadline and the listener, not polls or an HTTP status; its error line in full', async () => {
    const sentAt = new Date(2026, 0, 2, 14, 5).getTime();
    const error =
      "waiting for the archive's report: no N-EVENT-REPORT 10 min after ORTHANC accepted the N-ACTION at 14:05:09; the archive must be able to reach WS1 at 127.0.0.1:11112 (its configuration must list that AE title, host and port); Safekeep keeps waiting until 2026-01-03 14:05";
    const r = request({ id: 5, remoteId: LOCAL.id, remoteName: LOCAL.name, state: 'working', sentAt, workingSince: sentAt + 9000, status: null, error });
    renderWithApi(<RequestDetail id={5} />, { client: api(LISTENING, [LOCAL]).on('outgoing-get', () => r).on('outgoing-instances', () => ({ rows: [], total: 0 })) });
    const head = await screen.findByRole('region', { name: 'Request 5' });
    await waitFor(() => expect(within(head).getByText('Archive’s report').nextElementSibling!.textContent).toBe('waiting for the N-EVENT-REPORT until 2026-01-03 14:05:00'));
    expect(within(head).queryByText('Next poll')).toBeNull();
    expect(within(head).queryByText('Last HTTP status')).toBeNull();
    expect(within(head).getByText('N-ACTION attempts')).toBeTruthy();
    expect((await status()).textContent).toContain('Reports go to WS1 at 127.0.0.1:11112.');
    expect(within(head).getByRole('alert').textContent).toBe(`✕ ${error}`);
  });

  it('a DICOMweb request still shows its next poll and HTTP status', async () => {
    const web: RemoteView = { id: 7, name: 'Web', kind: 'dicomweb', hasSecret: false, createdAt: 0, updatedAt: 0, config: { baseUrl: 'http://a/dicomweb', auth: 'none', caFile: null, insecureSkipVerify: false, timeoutSeconds: 60, maxInstancesPerRequest: 1000, concurrency: 4, deadlineHours: 24 } };
    const r = request({ id: 6, remoteId: 7, state: 'working', status: 202 });
    renderWithApi(<RequestDetail id={6} />, { client: api(LISTENING, [web]).on('outgoing-get', () => r).on('outgoing-instances', () => ({ rows: [], total: 0 })) });
    const head = await screen.findByRole('region', { name: 'Request 6' });
    expect(within(head).getByText('Next poll')).toBeTruthy();
    expect(within(head).getByText('Last HTTP status').nextElementSibling!.textContent).toBe('202');
    expect(screen.queryByRole('status', { name: 'DICOM listener' })).toBeNull();
  });
});

describe('Settings: the DICOM listener', () => {
  const SETTINGS = settingsRow({ dimse: { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: 11112, listening: true, peers: [] } });

  it('shows its state, and saves the listen address, port and report timeout', async () => {
    const fake = api({ ...LISTENING, restartNeeded: true })
      .on('settings-get', () => SETTINGS)
      .on('settings-update', (p) => ({ ...SETTINGS, ...(p as object) }) as Settings)
      .on('tokens-list', () => [])
      .on('library-summary', () => ({ studies: 0, series: 0, instances: 0, skipped: 0, conflicts: 0, duplicates: 0, flagged: 0, bytes: 0, roots: [] }));
    renderWithApi(<SettingsScreen />, { client: fake });
    const s = await status();
    expect(s.textContent).toContain('Listening as SAFEKEEP on 127.0.0.1:11112');
    expect(s.textContent).toContain('The saved DICOM settings differ from this run’s command-line options: they apply at the next start.');
    const user = userEvent.setup();
    await user.clear(screen.getByLabelText('Listen address'));
    await user.click(screen.getByRole('button', { name: 'Save DIMSE settings' }));
    expect(await screen.findByText('Enter a listen address, e.g. 127.0.0.1 or 0.0.0.0')).toBeTruthy();
    await user.type(screen.getByLabelText('Listen address'), '0.0.0.0');
    await user.clear(screen.getByLabelText('Report timeout (minutes)'));
    await user.type(screen.getByLabelText('Report timeout (minutes)'), '5');
    await user.click(screen.getByRole('button', { name: 'Save DIMSE settings' }));
    await waitFor(() => expect(fake.callsOf('settings-update')).toEqual([{ dimse: { aeTitle: 'SAFEKEEP', host: '0.0.0.0', port: 11112, peers: [] }, reportTimeoutMinutes: 5 }]));
  });
});
