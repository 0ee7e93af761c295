// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, it } from 'vitest';
import type { AuditEntry } from '../../src-shared/audit';
import { AuditSection } from '../../src-renderer/src/screens/settings/AuditSection';
import { FakeApi } from './support/fake-api';
import { settingsRow } from './support/rows';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';

setupDom();

const ENTRIES: AuditEntry[] = [
  { time: '2026-12-02T07:00:03.000Z', event: 'commitment-request-received', outcome: 0, user: 'pacs', address: '10.0.0.9:51000', object: '2.25.42', detail: { instances: '3', protocol: 'dicomweb' }, description: null },
  { time: '2026-12-02T07:00:02.000Z', event: 'login', outcome: 4, user: 'unknown', address: '10.0.0.66', object: null, detail: {}, description: 'wrong login code' },
  { time: '2026-12-02T07:00:01.000Z', event: 'application-start', outcome: 0, user: 'op', address: null, object: null, detail: {}, description: null },
];

it('shows the audit trail newest first and filters it by event, text and period (asking the core)', async () => {
  const api = new FakeApi().on('audit-list', (a) =>
    ENTRIES.filter((e) => (!a.event || e.event === a.event) && (!a.search || JSON.stringify(e).includes(a.search))),
  );
  renderWithApi(<AuditSection settings={settingsRow()} />, { client: api });
  const table = await screen.findByRole('table');
  const rows = within(table).getAllByRole('row').slice(1);
  expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['commitment-request-received', 'login', 'application-start']);
  expect(rows[0]!.textContent).toContain('2.25.42');
  expect(rows[0]!.textContent).toContain('instances: 3; protocol: dicomweb');
  expect(within(rows[1]!).getByText('Refused')).toBeTruthy();
  expect(rows[1]!.textContent).toContain('wrong login code');

  const user = userEvent.setup();
  await user.selectOptions(screen.getByLabelText('Event'), 'login');
  await waitFor(() => expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(2));
  expect(api.calls.at(-1)).toEqual({ name: 'audit-list', args: { limit: 500, event: 'login' } });

  await user.selectOptions(screen.getByLabelText('Event'), '');
  await user.type(screen.getByLabelText('Who, where or what'), '2.25.42');
  await waitFor(() => expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(2));
  expect(api.calls.at(-1)!.args).toEqual({ limit: 500, search: '2.25.42' });

  const before = Date.now();
  await user.selectOptions(screen.getByLabelText('Period'), '24h');
  await waitFor(() => expect((api.calls.at(-1)!.args as { since?: number }).since).toBeDefined());
  const since = (api.calls.at(-1)!.args as { since: number }).since;
  expect(since).toBeGreaterThanOrEqual(before - 86_400_000);
  expect(since).toBeLessThanOrEqual(Date.now() - 86_400_000);

  await user.type(screen.getByLabelText('Who, where or what'), 'nothing-matches');
  expect(await screen.findByText('No audit events')).toBeTruthy();
});

it('saves the syslog collector, or none', async () => {
  const api = new FakeApi().on('audit-list', () => []).on('settings-update', () => settingsRow());
  renderWithApi(<AuditSection settings={settingsRow()} />, { client: api });
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('Syslog collector'), 'tls://siem.hospital.test:6514');
  await user.type(screen.getByLabelText('Collector CA file'), '/etc/safekeep/siem-ca.pem');
  await user.click(screen.getByRole('button', { name: 'Save collector' }));
  await waitFor(() => expect(api.callsOf('settings-update')).toEqual([{ auditSyslog: { url: 'tls://siem.hospital.test:6514', caFile: '/etc/safekeep/siem-ca.pem' } }]));
  await user.clear(screen.getByLabelText('Syslog collector'));
  await user.click(screen.getByRole('button', { name: 'Save collector' }));
  await waitFor(() => expect(api.callsOf('settings-update').at(-1)).toEqual({ auditSyslog: null }));
});
