// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../src-shared/contract/handlers';
import type { RemoteInput, RemoteView } from '../../src-shared/remotes';
import { RemotesScreen } from '../../src-renderer/src/screens/remotes/RemotesScreen';
import { SettingsScreen } from '../../src-renderer/src/screens/settings/SettingsScreen';
import { FakeApi } from './support/fake-api';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';
import { settingsRow } from './support/rows';

setupDom();

const PACS: RemoteView = {
  id: 7,
  name: 'PACS',
  kind: 'dimse',
  hasSecret: false,
  createdAt: 0,
  updatedAt: 0,
  config: {
    aeTitle: 'PACS',
    host: 'pacs.example.org',
    port: 2762,
    callingAeTitle: 'SAFEKEEP',
    timeoutSeconds: 30,
    maxInstancesPerRequest: 1000,
    concurrency: 2,
    deadlineHours: 24,
    tls: { caFile: '/pki/ca.pem', certFile: '/pki/sk.pem', keyFile: '/pki/sk.key' },
  },
};

function remotesApi(list: RemoteView[]): FakeApi {
  return new FakeApi()
    .on('remotes-list', () => list)
    .on('remotes-save', ({ id, input }) => ({ ...PACS, ...(input as object), id: id ?? 9 }) as RemoteView)
    .on('dimse-listener', () => ({ state: 'listening', aeTitle: 'SAFEKEEP', otherAeTitles: [], host: '0.0.0.0', port: 11112, addresses: ['10.0.0.2'], detail: null, restartNeeded: false }));
}

const saved = (api: FakeApi): RemoteInput => api.callsOf('remotes-save').at(-1)!.input;

/** The Remotes screen with an empty list, the form of a new remote open, and its fields filled in. */
async function newRemote(kind: 'DIMSE' | 'DICOMweb', fields: Record<string, string>) {
  const api = remotesApi([]);
  renderWithApi(<RemotesScreen />, { client: api });
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: `Add ${kind} remote` }));
  const form = screen.getByRole('form', { name: `Add a ${kind} remote` });
  for (const [label, value] of Object.entries(fields)) await user.type(within(form).getByLabelText(label), value);
  return { api, user, form };
}

describe('TLS fields of the remote form', () => {
  it('a DIMSE remote: DICOM TLS with the CA and a client certificate; a certificate without its key is refused', async () => {
    const { api, user, form } = await newRemote('DIMSE', { Name: 'PACS', 'Called AE title': 'PACS', Host: 'pacs.example.org' });
    expect(within(form).queryByLabelText('Archive CA certificate file')).toBeNull();
    await user.click(within(form).getByRole('checkbox', { name: /DICOM TLS/ }));
    await user.click(within(form).getByRole('button', { name: 'Save remote' }));
    expect(within(form).getByLabelText('Archive CA certificate file').getAttribute('aria-invalid')).toBe('true');
    await user.type(within(form).getByLabelText('Archive CA certificate file'), '/pki/ca.pem');
    await user.type(within(form).getByLabelText('Client certificate file (optional)'), '/pki/sk.pem');
    await user.click(within(form).getByRole('button', { name: 'Save remote' }));
    expect(within(form).getByText('Give the client certificate and its private key together')).toBeTruthy();
    expect(api.callsOf('remotes-save')).toEqual([]);
    await user.type(within(form).getByLabelText('Client private key file'), '/pki/sk.key');
    await user.click(within(form).getByRole('button', { name: 'Save remote' }));
    await waitFor(() => expect(api.callsOf('remotes-save')).toHaveLength(1));
    expect(saved(api)).toMatchObject({ kind: 'dimse', config: { aeTitle: 'PACS', tls: { caFile: '/pki/ca.pem', certFile: '/pki/sk.pem', keyFile: '/pki/sk.key' } } });
  });

  it('editing a DIMSE remote shows its TLS files, and turning TLS off saves it without', async () => {
    const api = remotesApi([PACS]);
    renderWithApi(<RemotesScreen />, { client: api });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit PACS' }));
    const form = screen.getByRole('form', { name: 'Edit PACS' });
    const box = within(form).getByRole('checkbox', { name: /DICOM TLS/ }) as HTMLInputElement;
    expect(box.checked).toBe(true);
    expect((within(form).getByLabelText('Archive CA certificate file') as HTMLInputElement).value).toBe('/pki/ca.pem');
    await user.click(box);
    await user.click(within(form).getByRole('button', { name: 'Save remote' }));
    await waitFor(() => expect(api.callsOf('remotes-save')).toHaveLength(1));
    expect(saved(api).config).not.toHaveProperty('tls');
  });

  it("a DICOMweb remote: Safekeep's client certificate and key", async () => {
    const { api, user, form } = await newRemote('DICOMweb', { Name: 'Archive', 'Base URL': 'https://archive/dicomweb' });
    await user.selectOptions(within(form).getByLabelText('Authentication'), 'none');
    await user.type(within(form).getByLabelText('Client certificate file (optional)'), '/pki/sk.pem');
    await user.type(within(form).getByLabelText('Client private key file'), '/pki/sk.key');
    await user.click(within(form).getByRole('button', { name: 'Save remote' }));
    await waitFor(() => expect(api.callsOf('remotes-save')).toHaveLength(1));
    expect(saved(api)).toMatchObject({ kind: 'dicomweb', config: { certFile: '/pki/sk.pem', keyFile: '/pki/sk.key' } });
  });
});

describe('TLS in Settings', () => {
  function settingsApi(): FakeApi {
    let settings: Settings = settingsRow();
    return new FakeApi()
      .on('settings-get', () => settings)
      .on('settings-update', (patch) => {
        const stored = (patch.tls === undefined ? settings.tls.stored : patch.tls) as Settings['tls']['stored'];
        settings = { ...settings, tls: { stored, inUse: settings.tls.inUse }, pendingRestart: JSON.stringify(stored) === JSON.stringify(settings.tls.inUse) ? [] : ['tls'] };
        return settings;
      })
      .on('tokens-list', () => [])
      .on('library-summary', () => ({ studies: 0, series: 0, instances: 0, skipped: 0, conflicts: 0, duplicates: 0, flagged: 0, bytes: 0, roots: [] }));
  }

  it('saves the certificate, key and client CA, says it applies at the next start, and turns TLS off again', async () => {
    const api = settingsApi();
    renderWithApi(<SettingsScreen />, { client: api });
    const user = userEvent.setup();
    expect((await screen.findByTestId('tls-in-use')).textContent).toBe('This run: plain HTTP and DICOM (no TLS)');
    const form = screen.getByRole('form', { name: 'TLS settings' });
    await user.click(within(form).getByRole('button', { name: 'Save TLS settings' }));
    expect(within(form).getByLabelText('Certificate file').getAttribute('aria-invalid')).toBe('true');
    expect(api.callsOf('settings-update')).toEqual([]);
    await user.type(within(form).getByLabelText('Certificate file'), '/pki/server.pem');
    await user.type(within(form).getByLabelText('Private key file'), '/pki/server.key');
    await user.type(within(form).getByLabelText('Client CA file (optional)'), '/pki/ca.pem');
    await user.click(within(form).getByRole('button', { name: 'Save TLS settings' }));
    await waitFor(() => expect(api.callsOf('settings-update')).toEqual([{ tls: { certFile: '/pki/server.pem', keyFile: '/pki/server.key', caFile: '/pki/ca.pem' } }]));
    expect((await screen.findByText(/applies at the next start/)).textContent).toContain('Changed');
    await user.click(await screen.findByRole('button', { name: 'Turn TLS off' }));
    await waitFor(() => expect(api.callsOf('settings-update').at(-1)).toEqual({ tls: null }));
  });

  it('says what this run uses', async () => {
    const api = new FakeApi()
      .on('settings-get', () => settingsRow({ tls: { stored: null, inUse: { certFile: '/pki/server.pem', keyFile: '/pki/server.key', caFile: '/pki/ca.pem' } } }))
      .on('tokens-list', () => [])
      .on('library-summary', () => ({ studies: 0, series: 0, instances: 0, skipped: 0, conflicts: 0, duplicates: 0, flagged: 0, bytes: 0, roots: [] }));
    renderWithApi(<SettingsScreen />, { client: api });
    const text = (await screen.findByTestId('tls-in-use')).textContent;
    expect(text).toContain('HTTPS and DICOM TLS only');
    expect(text).toContain('/pki/server.pem');
    expect(text).toContain('client certificates signed by /pki/ca.pem required');
  });
});
