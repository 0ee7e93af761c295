// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Settings, TokenView } from '../../src-shared/contract/handlers';
import { SettingsScreen } from '../../src-renderer/src/screens/settings/SettingsScreen';
import { FakeApi } from './support/fake-api';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';

setupDom();

const SETTINGS: Settings = {
  server: { host: '127.0.0.1', port: 8080, allowedHosts: [], url: 'http://127.0.0.1:8080', authEnabled: true },
  policy: 'library',
  dimsePolicy: 'library',
  policies: [
    { id: 'library', description: 'Local library: committed when the file is in the library' },
    { id: 'forward:2', description: 'Forward to the DIMSE archive "PACS": committed when it commits' },
  ],
  retentionDays: 30,
  syncWindowSeconds: 2,
  acceptedSopClasses: null,
  dimse: { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: 11112, listening: true, peers: [{ aeTitle: 'MODALITY', host: '10.0.0.9', port: 104 }] },
  reportTimeoutMinutes: 10,
  auditSyslog: null,
  dataDir: '/var/lib/safekeep',
  pendingRestart: [],
  tls: { stored: null, inUse: null },
  database: { inUse: null, source: 'default', stored: null, importAtStart: false, lastImport: null },
};

function settingsApi(): FakeApi {
  let settings = SETTINGS;
  const tokens: TokenView[] = [{ id: 1, client: 'pacs', hint: 'abcd', createdAt: Date.now(), revokedAt: null }];
  return new FakeApi()
    .on('settings-get', () => settings)
    .on('settings-update', (patch) => {
      settings = {
        ...settings,
        ...patch,
        server: { ...settings.server, ...patch.server },
        dimse: { ...settings.dimse, ...patch.dimse },
        pendingRestart: patch.server ? ['server'] : settings.pendingRestart,
      } as Settings;
      return settings;
    })
    // Fresh objects each time, as JSON from the server would be.
    .on('tokens-list', () => tokens.map((t) => ({ ...t })))
    .on('tokens-create', ({ client }) => {
      const token = { id: 2, client, hint: 'Zx9Q', createdAt: Date.now(), revokedAt: null };
      tokens.push(token);
      return { token, secret: 'Zx9Q-the-whole-secret-shown-once' };
    })
    .on('tokens-revoke', ({ id }) => {
      const t = tokens.find((x) => x.id === id)!;
      t.revokedAt = Date.now();
      return {};
    })
    .on('library-summary', () => ({ studies: 1, series: 1, instances: 1, skipped: 0, conflicts: 0, duplicates: 0, flagged: 0, bytes: 1, roots: [{ path: '/data/studies', addedAt: 0, lastScanAt: null }] }))
    .on('library-remove-root', () => ({ removed: 12, kept: 0 }))
    .on('library-rescan', () => ({ scanId: 's1' }))
    .on('settings-database', ({ url, importHistory }) => {
      const stored = url && url.replace(/:[^:@/]*@/, ':***@');
      settings = { ...settings, database: { ...settings.database, stored, importAtStart: importHistory === true }, pendingRestart: stored ? ['database'] : [] };
      return settings;
    });
}

describe('Settings screen', () => {
  it('shows a new token once, with a copy button, and revokes a token only after confirmation', async () => {
    const api = settingsApi();
    renderWithApi(<SettingsScreen />, { client: api });
    const user = userEvent.setup(); // (gives the page a clipboard)
    await user.type(await screen.findByLabelText('Client name'), 'pacs-east');
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    expect((await screen.findByTestId('new-token')).textContent).toBe('Zx9Q-the-whole-secret-shown-once');
    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(await navigator.clipboard.readText()).toBe('Zx9Q-the-whole-secret-shown-once');
    screen.getByRole('button', { name: 'Copied ✓' });
    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByText(/the-whole-secret/)).toBeNull();
    // The list only ever shows the first characters.
    expect(screen.getByRole('row', { name: /pacs-east/ }).textContent).toContain('Zx9Q…');

    await user.click(screen.getByRole('button', { name: 'Revoke token of pacs' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Keep' }));
    expect(api.callsOf('tokens-revoke')).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Revoke token of pacs' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke token' }));
    await waitFor(() => expect(api.callsOf('tokens-revoke')).toEqual([{ id: 1 }]));
    await waitFor(() => expect(screen.getByRole('row', { name: /^pacs abcd/ }).textContent).toContain('Revoked'));
  });

  it('saves the server address and says it applies at the next start', async () => {
    const api = settingsApi();
    renderWithApi(<SettingsScreen />, { client: api });
    const user = userEvent.setup();
    const server = await screen.findByRole('region', { name: 'Server' });
    const port = within(server).getByLabelText('Port');
    await user.clear(port);
    await user.type(port, '99999');
    await user.click(screen.getByRole('button', { name: 'Save server settings' }));
    within(server).getByText('A port is a whole number from 0 to 65535');
    await user.clear(port);
    await user.type(port, '8443');
    await user.click(screen.getByRole('button', { name: 'Save server settings' }));
    await waitFor(() => expect(api.callsOf('settings-update')).toEqual([{ server: { host: '127.0.0.1', port: 8443, allowedHosts: [] } }]));
    await screen.findByText(/applies at the next start of Safekeep/);
  });

  it('saves the PostgreSQL database for the next start, never showing its password, and says a restart is needed', async () => {
    const api = settingsApi();
    renderWithApi(<SettingsScreen />, { client: api });
    const user = userEvent.setup();
    const section = await screen.findByRole('region', { name: 'Database' });
    expect(within(section).getByTestId('database-in-use').textContent).toBe('This run: SQLite in the data folder (from the default)');
    expect(within(section).queryByTestId('database-import-history')).toBeNull();
    await user.type(within(section).getByLabelText('PostgreSQL URL'), 'postgres://safekeep:s3cret@db.hospital.test:5432/safekeep');
    // Leaving SQLite: the history comes along unless unticked.
    await user.click(within(section).getByRole('checkbox', { name: /Bring this workstation's history/ }));
    await user.click(within(section).getByRole('button', { name: 'Save database' }));
    await waitFor(() => expect(api.callsOf('settings-database')).toEqual([{ url: 'postgres://safekeep:s3cret@db.hospital.test:5432/safekeep' }]));
    const after = await screen.findByRole('region', { name: 'Database' });
    await within(after).findByText('Restart Safekeep to use the database saved.');
    expect(within(after).getByTestId('database-stored').textContent).toContain('postgres://safekeep:***@db.hospital.test:5432/safekeep');
    expect(after.textContent).not.toContain('s3cret');
  });

  it("brings the workstation's history along by default, and says how the last copy went", async () => {
    const api = settingsApi();
    renderWithApi(<SettingsScreen />, { client: api });
    const user = userEvent.setup();
    const section = await screen.findByRole('region', { name: 'Database' });
    await user.type(within(section).getByLabelText('PostgreSQL URL'), 'postgres://safekeep:pw@db.hospital.test/safekeep');
    expect(within(section).getByRole('checkbox', { name: /Bring this workstation's history/ })).toHaveProperty('checked', true);
    await user.click(within(section).getByRole('button', { name: 'Save database' }));
    await waitFor(() => expect(api.callsOf('settings-database')).toEqual([{ url: 'postgres://safekeep:pw@db.hospital.test/safekeep', importHistory: true }]));
    await within(await screen.findByRole('region', { name: 'Database' })).findByText(
      "Restart Safekeep to use the database saved; this workstation's history is copied into it then.",
    );
  });

  it('shows a copy the database refused, with why', async () => {
    const api = settingsApi();
    const refused = { at: Date.UTC(2026, 11, 1, 9), rows: null, error: 'The PostgreSQL database already holds data: jobs (3).' };
    api.on('settings-get', () => ({ ...SETTINGS, database: { inUse: 'postgres://safekeep:***@db/safekeep', source: 'data-folder', stored: null, importAtStart: false, lastImport: refused } }));
    renderWithApi(<SettingsScreen />, { client: api });
    const line = await screen.findByTestId('database-last-import');
    expect(line.textContent).toMatch(/^The history was not copied into the database \(.+\): The PostgreSQL database already holds data: jobs \(3\)\.$/);
    expect(line.className).toContain('tone-bad');
  });

  it('saves the host names allowed besides loopback (DNS rebinding guard)', async () => {
    const api = settingsApi();
    renderWithApi(<SettingsScreen />, { client: api });
    const user = userEvent.setup();
    const server = await screen.findByRole('region', { name: 'Server' });
    await user.type(within(server).getByLabelText('Allowed host names'), 'safekeep.example.org, *.hospital.test');
    await user.click(screen.getByRole('button', { name: 'Save server settings' }));
    await waitFor(() =>
      expect(api.callsOf('settings-update')).toEqual([{ server: { host: '127.0.0.1', port: 8080, allowedHosts: ['safekeep.example.org', '*.hospital.test'] } }]),
    );
  });

  it('chooses the commitment policies, and edits the DIMSE peers', async () => {
    const api = settingsApi();
    renderWithApi(<SettingsScreen />, { client: api });
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText('DIMSE commitment policy'), 'forward:2');
    await user.clear(screen.getByLabelText('Keep results (days)'));
    await user.type(screen.getByLabelText('Keep results (days)'), '7');
    await user.click(screen.getByRole('button', { name: 'Save commitment settings' }));
    await waitFor(() => expect(api.callsOf('settings-update')).toEqual([{ policy: 'library', dimsePolicy: 'forward:2', retentionDays: 7, syncWindowSeconds: 2 }]));

    await user.type(await screen.findByLabelText('Peer AE title'), 'CT\\SCANNER');
    await user.click(screen.getByRole('button', { name: 'Add peer' }));
    screen.getByText('An AE title is 1 to 16 printable characters without backslash');
    await user.clear(screen.getByLabelText('Peer AE title'));
    await user.type(screen.getByLabelText('Peer AE title'), 'CT1');
    await user.type(screen.getByLabelText('Peer host'), 'ct1.local');
    await user.click(screen.getByRole('button', { name: 'Add peer' }));
    await user.click(screen.getByRole('button', { name: 'Remove peer MODALITY' }));
    await user.click(screen.getByRole('button', { name: 'Save DIMSE settings' }));
    await waitFor(() =>
      expect(api.callsOf('settings-update').at(-1)).toEqual({ dimse: { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: 11112, peers: [{ aeTitle: 'CT1', host: 'ct1.local', port: 104 }] }, reportTimeoutMinutes: 10 }),
    );
  });

  it('removes a library folder only after confirmation', async () => {
    const api = settingsApi();
    renderWithApi(<SettingsScreen />, { client: api });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Remove folder /data/studies' }));
    expect(screen.getByRole('dialog').textContent).toContain('The files themselves are not touched');
    await user.click(screen.getByRole('button', { name: 'Remove folder' }));
    await waitFor(() => expect(api.callsOf('library-remove-root')).toEqual([{ path: '/data/studies' }]));
  });
});
