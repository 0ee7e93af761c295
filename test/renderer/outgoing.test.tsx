// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OutgoingInstance, OutgoingRequest } from '../../src-shared/outgoing';
import { useLiveUpdates } from '../../src-renderer/src/data/live-updates';
import { OutgoingScreen } from '../../src-renderer/src/screens/outgoing/OutgoingScreen';
import { useNavigation } from '../../src-renderer/src/state/navigation';
import { FakeApi } from './support/fake-api';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';
import { outgoingInstance, request } from './support/rows';

setupDom();

const BIG = 100_000;

/** Instance `seq` of a request: every 1000th failed (0112H), the last 10 pending. */
function instanceAt(r: OutgoingRequest, seq: number): OutgoingInstance {
  if (seq >= r.instanceCount - (r.instanceCount - r.committedCount - r.failedCount)) return outgoingInstance(r.id, seq, { outcome: 'pending', updatedAt: null });
  if (seq % 1000 === 999) return outgoingInstance(r.id, seq, { outcome: 'failed', failureReason: 0x0112, detail: 'Not in the library' });
  return outgoingInstance(r.id, seq);
}

function outgoingApi(requests: OutgoingRequest[]): FakeApi {
  const byId = new Map(requests.map((r) => [r.id, r]));
  return new FakeApi()
    .on('outgoing-list', ({ state, limit = 200, offset = 0 }) => {
      const rows = requests.filter((r) => !state || r.state === state);
      return { rows: rows.slice(offset, offset + limit), total: rows.length };
    })
    .on('outgoing-get', ({ id }) => {
      const r = byId.get(id);
      if (!r) throw { code: 'not-found', message: `No outgoing request ${id}` };
      return r;
    })
    .on('outgoing-instances', ({ id, outcome, failureReason, limit = 200, offset = 0 }) => {
      const r = byId.get(id)!;
      if (!outcome && failureReason === undefined) {
        const rows: OutgoingInstance[] = [];
        for (let s = offset; s < Math.min(r.instanceCount, offset + limit); s++) rows.push(instanceAt(r, s));
        return { rows, total: r.instanceCount };
      }
      const all = Array.from({ length: r.instanceCount }, (_, s) => instanceAt(r, s)).filter(
        (i) => (!outcome || i.outcome === outcome) && (failureReason === undefined || i.failureReason === failureReason),
      );
      return { rows: all.slice(offset, offset + limit), total: all.length };
    })
    .on('outgoing-totals', () => ({ requests: { working: 1, done: 1, lost: 1 }, instances: { total: 100_020, committed: 99_900, failed: 100, pending: 20 } }))
    .on('outgoing-cancel', ({ id }) => ({ ...byId.get(id)!, state: 'cancelled' }))
    .on('outgoing-resend', ({ id }) => ({ ...byId.get(id)!, state: 'queued' }))
    .on('outgoing-resend-failed', ({ id }) => request({ id: 99, label: `resend of ${id}`, instanceCount: byId.get(id)!.failedCount }))
    .on('report-csv', () => ({ filename: 'safekeep-report-x.csv', csv: 'a,b\n1,2\n', sha256: 'ab'.repeat(32), rows: 1 }))
    .on('report-timeline', ({ jobId }) => ({
      jobId,
      startedAt: 1_000_000,
      bucketMs: 60_000,
      running: true,
      points: [
        { at: 1_000_000, committed: 0, failed: 0, pending: 10 },
        { at: 1_060_000, committed: 3, failed: 0, pending: 7 },
        { at: 1_120_000, committed: 5, failed: 1, pending: 4 },
      ],
    }));
}

const REQUESTS = [
  request({ id: 3, state: 'working', label: 'Big job', instanceCount: BIG, committedCount: 99_890, failedCount: 100 }),
  request({ id: 2, state: 'done', label: 'Study of DOE', instanceCount: 10, committedCount: 9, failedCount: 1, completedAt: Date.now(), nextAttemptAt: null }),
  request({ id: 1, state: 'lost', label: 'Old one', instanceCount: 10, committedCount: 0, failedCount: 10, error: 'HTTP 404 while polling', nextAttemptAt: null }),
];

function Live() {
  useLiveUpdates(300);
  return null;
}

describe('Outgoing screen', () => {
  let clicked: HTMLAnchorElement[];
  beforeEach(() => {
    clicked = [];
    URL.createObjectURL = vi.fn(() => 'blob:fake');
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('lists every request with its counts and its state in words', async () => {
    renderWithApi(<OutgoingScreen />, { client: outgoingApi(REQUESTS) });
    const list = await screen.findByRole('grid', { name: 'Outgoing requests' });
    await within(list).findByText('Big job');
    const rows = within(list).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringMatching(/Big job.*10.*99,890.*100.*Working/),
      expect.stringMatching(/Study of DOE.*0.*9.*1.*Done, 1 failed/),
      expect.stringMatching(/Old one.*Lost.*HTTP 404 while polling/),
    ]);
    expect(screen.getByTestId('total-committed').textContent).toBe('99,900');
    expect(screen.getByText('No request selected')).toBeTruthy();
    // The progress bar tells its numbers, not only its colours.
    expect(within(rows[1]!).getByRole('progressbar').getAttribute('aria-valuetext')).toBe('10 of 10 decided: 9 committed, 1 failed');
  });

  it("shows the job's label in the list and the detail, and the job over time as a chart", async () => {
    const api = outgoingApi(REQUESTS);
    useNavigation.setState({ route: { screen: 'outgoing', requestId: 3 } });
    renderWithApi(<OutgoingScreen />, { client: api });
    const list = await screen.findByRole('grid', { name: 'Outgoing requests' });
    await within(list).findByText('Big job');
    expect(within(list).getAllByText('#1 Migration batch 1')).toHaveLength(3);
    const detail = screen.getByRole('region', { name: 'Request 3' });
    expect(within(detail).getByText('#1 — Migration batch 1')).toBeTruthy();
    const chart = await within(detail).findByRole('figure', { name: 'Job #1 over time' });
    await within(chart).findByText(/\(running\): 5 committed, 1 failed, 4 pending/);
    expect(api.callsOf('report-timeline')).toContainEqual({ jobId: 1, buckets: 60 });
    // Drawn by the chart library: one stacked area per outcome.
    await waitFor(() => expect(chart.querySelectorAll('.recharts-area').length).toBe(3));
  });

  it('filters the list by state', async () => {
    const api = outgoingApi(REQUESTS);
    renderWithApi(<OutgoingScreen />, { client: api });
    await screen.findByText('Big job');
    await userEvent.setup().selectOptions(screen.getByLabelText('State'), 'lost');
    await waitFor(() => expect(screen.queryByText('Big job')).toBeNull());
    expect(api.callsOf('outgoing-list')).toContainEqual({ state: 'lost', limit: 200, offset: 0 });
    screen.getByText('Old one');
  });

  it('shows 100,000 instances of a request a window at a time, and fetches pages where the user scrolls', async () => {
    const api = outgoingApi(REQUESTS);
    useNavigation.setState({ route: { screen: 'outgoing', requestId: 3 } });
    renderWithApi(<OutgoingScreen />, { client: api });
    const table = await screen.findByRole('grid', { name: 'Instances of request 3' });
    await within(table).findByText('1.2.3.3.0');
    expect(table.getAttribute('aria-rowcount')).toBe(String(BIG + 1));
    expect(within(table).getAllByRole('row').length).toBeLessThan(60);
    expect(api.callsOf('outgoing-instances')).toEqual([{ id: 3, limit: 500, offset: 0 }]);

    // Scroll to the middle: the page there is fetched, nothing else.
    table.scrollTop = 50_000 * 30;
    fireEvent.scroll(table);
    await within(table).findByText('1.2.3.3.50000');
    const offsets = api.callsOf('outgoing-instances').map((a) => a.offset);
    expect(offsets).toContain(50_000);
    expect(offsets.length).toBeLessThanOrEqual(4);
  });

  it('filters instances by outcome and by failure reason, and shows the reason in words', async () => {
    const api = outgoingApi(REQUESTS);
    useNavigation.setState({ route: { screen: 'outgoing', requestId: 3 } });
    renderWithApi(<OutgoingScreen />, { client: api });
    const user = userEvent.setup();
    const table = await screen.findByRole('grid', { name: 'Instances of request 3' });
    await user.selectOptions(screen.getByLabelText('Outcome'), 'failed');
    await within(table).findByText('1.2.3.3.999');
    // Every 1000th of the 99,990 decided instances failed: 99 rows (+ the header row).
    expect(table.getAttribute('aria-rowcount')).toBe('100');
    expect(within(table).getAllByText('0112H No such object instance — Not in the library').length).toBeGreaterThan(5);
    expect(screen.getByText('99 of 100,000 instances')).toBeTruthy();

    await user.selectOptions(screen.getByLabelText('Failure reason'), '0110H Processing failure');
    await within(table).findByText('No instance matches these filters');
    expect(api.callsOf('outgoing-instances')).toContainEqual({ id: 3, outcome: 'failed', failureReason: 0x0110, limit: 500, offset: 0 });
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await within(table).findByText('1.2.3.3.0');
  });

  it('asks before cancelling, and cancels only when confirmed', async () => {
    const api = outgoingApi(REQUESTS);
    useNavigation.setState({ route: { screen: 'outgoing', requestId: 3 } });
    renderWithApi(<OutgoingScreen />, { client: api });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Cancel…' }));
    let dialog = screen.getByRole('dialog', { name: 'Cancel request #3?' });
    expect(dialog.textContent).toContain('are marked failed: not verified');
    await user.click(within(dialog).getByRole('button', { name: 'Keep' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.callsOf('outgoing-cancel')).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Cancel…' }));
    dialog = screen.getByRole('dialog', { name: 'Cancel request #3?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel request' }));
    await waitFor(() => expect(api.callsOf('outgoing-cancel')).toEqual([{ id: 3 }]));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // Not for a finished request; Resend is for lost/failed/timed-out/cancelled ones.
    expect(screen.queryByRole('button', { name: 'Resend…' })).toBeNull();
  });

  it('shows the error of a refused action in the dialog (Escape closes it)', async () => {
    const api = outgoingApi(REQUESTS).fail('outgoing-cancel', { code: 'conflict', message: 'Request 3 is already done' });
    useNavigation.setState({ route: { screen: 'outgoing', requestId: 3 } });
    renderWithApi(<OutgoingScreen />, { client: api });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Cancel…' }));
    await user.click(screen.getByRole('button', { name: 'Cancel request' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Request 3 is already done');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('resends a lost request after confirming, and resends the failed instances of a finished one', async () => {
    const api = outgoingApi(REQUESTS);
    useNavigation.setState({ route: { screen: 'outgoing', requestId: 1 } });
    renderWithApi(<OutgoingScreen />, { client: api });
    const user = userEvent.setup();
    await screen.findByText('HTTP 404 while polling', { selector: '.error-text' , exact: false });
    expect(screen.queryByRole('button', { name: 'Cancel…' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Resend…' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Resend' }));
    await waitFor(() => expect(api.callsOf('outgoing-resend')).toEqual([{ id: 1 }]));

    act(() => useNavigation.getState().go({ screen: 'outgoing', requestId: 2 }));
    await user.click(await screen.findByRole('button', { name: 'Resend 1 not committed' }));
    await waitFor(() => expect(api.callsOf('outgoing-resend-failed')).toEqual([{ id: 2 }]));
    await waitFor(() => expect(useNavigation.getState().route).toEqual({ screen: 'outgoing', requestId: 99 }));
  });

  it('exports a request as a CSV file', async () => {
    const api = outgoingApi(REQUESTS);
    useNavigation.setState({ route: { screen: 'outgoing', requestId: 2 } });
    renderWithApi(<OutgoingScreen />, { client: api });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(clicked).toHaveLength(1));
    expect(api.callsOf('report-csv')).toEqual([{ requestIds: [2] }]);
    expect(clicked[0]!.download).toBe('safekeep-report-x.csv');
    const blob = (URL.createObjectURL as ReturnType<typeof vi.fn>).mock.calls[0]![0] as Blob;
    const text = await new Promise((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.readAsText(blob);
    });
    expect(text).toBe('a,b\n1,2\n');
  });

  it('stays live through events, coalescing a flood of them into a few refetches', async () => {
    const requests = REQUESTS.map((r) => ({ ...r }));
    const api = outgoingApi(requests);
    useNavigation.setState({ route: { screen: 'outgoing', requestId: 2 } });
    renderWithApi(
      <>
        <Live />
        <OutgoingScreen />
      </>,
      { client: api },
    );
    await screen.findByText('Big job');
    await screen.findByRole('grid', { name: 'Instances of request 2' });
    await new Promise((r) => setTimeout(r, 400));
    const before = { list: api.callsOf('outgoing-list').length, get: api.callsOf('outgoing-get').length, totals: api.callsOf('outgoing-totals').length };

    // 200 events in a burst, as a big job would send.
    requests[0] = { ...requests[0]!, committedCount: 99_990, failedCount: 10 };
    for (let i = 0; i < 200; i++) act(() => api.changed('outgoing', 'verdicts'));
    await waitFor(() => expect(screen.getByText('99,990')).toBeTruthy());
    await new Promise((r) => setTimeout(r, 800));
    const listCalls = api.callsOf('outgoing-list').length - before.list;
    expect(listCalls).toBeGreaterThanOrEqual(1);
    expect(listCalls).toBeLessThanOrEqual(3);
    expect(api.callsOf('outgoing-totals').length - before.totals).toBeLessThanOrEqual(3);
    // The event names tables, not requests: the detail on screen is refetched with the list, as rarely.
    expect(api.callsOf('outgoing-get').length - before.get).toBeLessThanOrEqual(3);
  });

  it('says when a request does not exist', async () => {
    useNavigation.setState({ route: { screen: 'outgoing', requestId: 42 } });
    renderWithApi(<OutgoingScreen />, { client: outgoingApi(REQUESTS) });
    expect((await screen.findByRole('alert')).textContent).toContain('No outgoing request 42');
  });
});
