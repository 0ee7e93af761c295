// @vitest-environment jsdom
import { act, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ScanProgress } from '../../src-shared/library';
import { useApiQuery } from '../../src-renderer/src/data/api-hooks';
import { useLiveUpdates } from '../../src-renderer/src/data/live-updates';
import { FakeApi } from './support/fake-api';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';
import { settingsRow } from './support/rows';

setupDom();

function Live() {
  useLiveUpdates(300);
  return null;
}

/** Shows nothing; keeps one query of each kind on screen. */
function Probe() {
  useApiQuery('library-studies', { limit: 200, offset: 0 });
  useApiQuery('remotes-list', {});
  useApiQuery('outgoing-totals', {});
  useApiQuery('settings-get', {});
  return null;
}

function api(): FakeApi {
  return new FakeApi()
    .on('library-studies', () => ({ rows: [], total: 0 }))
    .on('remotes-list', () => [])
    .on('outgoing-totals', () => ({ requests: {}, instances: { total: 0, committed: 0, failed: 0, pending: 0 } }))
    .on('settings-get', () => settingsRow());
}

const scan = (state: ScanProgress['state']) => ({ scanId: 's1', roots: ['/a'], state }) as ScanProgress;
const pause = (ms: number) => act(() => new Promise((r) => setTimeout(r, ms)));

async function started() {
  const a = api();
  renderWithApi(
    <>
      <Live />
      <Probe />
    </>,
    { client: a },
  );
  await waitFor(() => expect(a.callsOf('settings-get')).toHaveLength(1));
  await waitFor(() => expect(a.callsOf('library-studies')).toHaveLength(1));
  return a;
}

describe('live updates from data-changed', () => {
  it('refetches the queries of the handlers that read a changed table, and no other', async () => {
    const a = await started();
    act(() => a.changed('remotes'));
    await waitFor(() => expect(a.callsOf('remotes-list')).toHaveLength(2));
    // settings-get reads the remotes too (the policies name them).
    await waitFor(() => expect(a.callsOf('settings-get')).toHaveLength(2));
    await pause(400);
    expect(a.callsOf('library-studies')).toHaveLength(1);
    expect(a.callsOf('outgoing-totals')).toHaveLength(1);
  });

  it('takes the DICOM listener state as data and refreshes the settings that show it', async () => {
    const a = await started();
    act(() => a.emit('dimse-listener-changed', { state: 'listening', aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: 11112, since: 1, error: null } as never));
    await waitFor(() => expect(a.callsOf('settings-get')).toHaveLength(2));
    expect(a.callsOf('dimse-listener')).toHaveLength(0);
  });

  it('refreshes the library less often while a scan runs, and at once when it ends', async () => {
    const a = await started();
    act(() => a.emit('scan-progress', scan('running')));
    act(() => a.changed('library'));
    await waitFor(() => expect(a.callsOf('library-studies')).toHaveLength(2));
    for (let i = 0; i < 20; i++) act(() => a.changed('library'));
    // Longer than the normal interval: these changes still wait for the scan's slower one.
    await pause(400);
    expect(a.callsOf('library-studies')).toHaveLength(2);
    act(() => a.emit('scan-progress', scan('done')));
    await waitFor(() => expect(a.callsOf('library-studies')).toHaveLength(3));
    // Other tables keep the normal pace during a scan.
    expect(a.callsOf('remotes-list')).toHaveLength(1);
  });

  it('keeps the scan state of the newest event when a refetch sent before it answers later', async () => {
    const a = await started();
    let answer: (p: ScanProgress) => void = () => {};
    a.on('library-scan-state', () => new Promise<ScanProgress>((r) => (answer = r)));
    function ScanState() {
      const { data } = useApiQuery('library-scan-state', {});
      return <output data-testid="scan">{data?.state ?? 'none'}</output>;
    }
    const view = renderWithApi(
      <>
        <Live />
        <ScanState />
      </>,
      { client: a },
    );
    await waitFor(() => expect(a.callsOf('library-scan-state')).toHaveLength(1));
    // The scan ends while the refetch, sent while it was running, is still on its way.
    act(() => a.emit('scan-progress', scan('done')));
    await act(async () => answer(scan('running')));
    await pause(50);
    expect(view.getByTestId('scan').textContent).toBe('done');
  });
});
