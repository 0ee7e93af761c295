// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { IncomingInstance, IncomingTransaction } from '../../src-shared/transactions';
import { IncomingScreen } from '../../src-renderer/src/screens/incoming/IncomingScreen';
import { OutgoingScreen } from '../../src-renderer/src/screens/outgoing/OutgoingScreen';
import { useNavigation } from '../../src-renderer/src/state/navigation';
import { FakeApi } from './support/fake-api';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';
import { incomingInstance, incomingTransaction, request } from './support/rows';

setupDom();

const TRANSACTIONS = [
  incomingTransaction({ transactionUid: '2.25.7', source: 'dimse', client: 'MODALITY1', requester: 'MODALITY1@10.0.0.9', state: 'done', committedCount: 9, failedCount: 1, completedAt: Date.now(), reportState: 'retrying', reportAttempts: 2, reportError: 'Association rejected' }),
  incomingTransaction({ transactionUid: '2.25.6', client: 'viewer', committedCount: 4 }),
];

/** Instance `seq` of a transaction: the last one failed (0112H). */
const instanceAt = (t: IncomingTransaction, seq: number): IncomingInstance =>
  seq === t.instanceCount - 1 ? incomingInstance(seq, { outcome: 'failed', failureReason: 0x0112, detail: 'Not in the library' }) : incomingInstance(seq);

function incomingApi(): FakeApi {
  const byUid = new Map(TRANSACTIONS.map((t) => [t.transactionUid, t]));
  return new FakeApi()
    .on('incoming-list', ({ state, source, limit = 200, offset = 0 }) => {
      const rows = TRANSACTIONS.filter((t) => (!state || t.state === state) && (!source || t.source === source));
      return { rows: rows.slice(offset, offset + limit), total: rows.length };
    })
    .on('incoming-get', ({ transactionUid }) => {
      const t = byUid.get(transactionUid);
      if (!t) throw { code: 'not-found', message: `No incoming transaction ${transactionUid}` };
      return t;
    })
    .on('incoming-instances', ({ transactionUid, outcome, limit = 200, offset = 0 }) => {
      const t = byUid.get(transactionUid)!;
      const rows = Array.from({ length: t.instanceCount }, (_, s) => instanceAt(t, s)).filter((i) => !outcome || i.outcome === outcome);
      return { rows: rows.slice(offset, offset + limit), total: rows.length };
    });
}

describe('Incoming screen', () => {
  it('lists the transactions, filters them by protocol, and opens one with its facts and instances', async () => {
    const api = incomingApi();
    const user = userEvent.setup();
    renderWithApi(<IncomingScreen />, { client: api });
    const list = await screen.findByRole('grid', { name: 'Incoming transactions' });
    await within(list).findByText('MODALITY1');
    expect(within(list).getAllByRole('row').slice(1).map((r) => r.textContent)).toEqual([
      expect.stringMatching(/DIMSE.*MODALITY1.*10.*9.*1.*Done, 1 failed.*2\.25\.7/),
      expect.stringMatching(/DICOMweb.*viewer.*10.*4.*0.*Working.*2\.25\.6/),
    ]);
    expect(screen.getByText('2 transactions')).toBeTruthy();
    expect(screen.getByText('No transaction selected')).toBeTruthy();

    await user.selectOptions(screen.getByLabelText('Source'), 'dicomweb');
    await waitFor(() => expect(within(list).queryByText('MODALITY1')).toBeNull());
    expect(api.callsOf('incoming-list')).toContainEqual({ source: 'dicomweb', limit: 200, offset: 0 });
    expect(screen.getByText('1 transaction')).toBeTruthy();
    await user.selectOptions(screen.getByLabelText('Source'), '');

    await user.click(await within(list).findByText('MODALITY1'));
    const detail = await screen.findByRole('region', { name: 'Transaction 2.25.7' });
    expect(useNavigation.getState().route).toEqual({ screen: 'incoming', transactionUid: '2.25.7' });
    expect(within(detail).getByRole('heading').textContent).toBe('DIMSE request from MODALITY1 (MODALITY1@10.0.0.9)');
    expect(within(detail).getByText('Report retrying (2 attempts)')).toBeTruthy();
    expect(within(detail).getByRole('alert').textContent).toBe('Association rejected');
    const instances = await within(detail).findByRole('grid', { name: 'Instances of transaction 2.25.7' });
    await within(instances).findByText('1.2.9.0');
    expect(api.callsOf('incoming-instances')).toEqual([{ transactionUid: '2.25.7', limit: 500, offset: 0 }]);
    expect(within(detail).getByText('10 instances')).toBeTruthy();

    await user.selectOptions(within(detail).getByLabelText('Outcome'), 'failed');
    await waitFor(() => expect(within(instances).queryByText('1.2.9.0')).toBeNull());
    expect(within(instances).getByText('0112H No such object instance — Not in the library')).toBeTruthy();
    expect(within(detail).getByText('1 instances')).toBeTruthy();
  });

  it('keeps each screen its own filters while the user moves between screens', async () => {
    const api = incomingApi().on('outgoing-list', () => ({ rows: [request({ id: 1 })], total: 1 })).on('outgoing-totals', () => ({ requests: {}, instances: { total: 0, committed: 0, failed: 0, pending: 0 } }));
    const user = userEvent.setup();
    const first = renderWithApi(<IncomingScreen />, { client: api });
    await screen.findByRole('grid', { name: 'Incoming transactions' });
    await user.selectOptions(screen.getByLabelText('State'), 'done');
    first.unmount();

    const outgoing = renderWithApi(<OutgoingScreen />, { client: api });
    await screen.findByRole('grid', { name: 'Outgoing requests' });
    expect((screen.getByLabelText('State') as HTMLSelectElement).value).toBe('');
    outgoing.unmount();

    renderWithApi(<IncomingScreen />, { client: api });
    await screen.findByRole('grid', { name: 'Incoming transactions' });
    expect((screen.getByLabelText('State') as HTMLSelectElement).value).toBe('done');
  });

  it('says when a transaction does not exist', async () => {
    useNavigation.setState({ route: { screen: 'incoming', transactionUid: '2.25.404' } });
    renderWithApi(<IncomingScreen />, { client: incomingApi() });
    expect((await screen.findByRole('alert')).textContent).toContain('No incoming transaction 2.25.404');
  });
});
