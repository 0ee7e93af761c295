// @vitest-environment jsdom
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ScanProgress } from '../../src-shared/library';
import { App } from '../../src-renderer/src/app/App';
import { setupDom } from './support/dom';
import { fakeAppServer } from './support/app-server';
import type { FakeHttp } from './support/fake-http';
import { testQueryClient } from './support/render';

setupDom();

const progress = (state: ScanProgress['state'], extra: Partial<ScanProgress> = {}): ScanProgress => ({
  scanId: 'scan-1',
  roots: ['/mnt/studies'],
  filesSeen: 9,
  indexed: 6,
  unchanged: 0,
  skipped: 1,
  conflicts: 0,
  duplicates: 2,
  flagged: 0,
  removed: 0,
  bytesRead: 100,
  bytesOfFiles: 100,
  state,
  startedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

/** A server whose scan-state answer the test sets; add-folders may push events before it answers. */
function server(o: { beforeAnswer?: (http: FakeHttp, setState: (p: ScanProgress) => void) => void } = {}) {
  let scanState: ScanProgress | null = null;
  const http = fakeAppServer();
  http.authenticated = true;
  http
    .on('library-scan-state', () => scanState)
    .on('library-add-folders', () => {
      scanState = progress('running');
      o.beforeAnswer?.(http, (p) => (scanState = p));
      return { scanId: 'scan-1' };
    });
  const setState = (p: ScanProgress) => (scanState = p);
  render(<App api={{ client: http, http, preload: null }} queryClient={testQueryClient()} />);
  return { http, setState };
}

const addFolder = async () => {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('Add folder by path'), '/mnt/studies{Enter}');
};
const notices = () => screen.getAllByRole('status').map((s) => s.textContent ?? '').join('\n');

describe('the scan notice', () => {
  it('says "Scanning…" while the scan runs and gives way to its outcome when it is done', async () => {
    const { http, setState } = server();
    await addFolder();
    await screen.findByText('Scanning /mnt/studies…');
    act(() => http.emit('scan-progress', progress('running', { filesSeen: 3, indexed: 3, duplicates: 0, skipped: 0 })));
    expect(notices()).toContain('Scanning /mnt/studies…');
    act(() => {
      setState(progress('done'));
      http.emit('scan-progress', progress('done'));
    });
    await screen.findByText('Scan of /mnt/studies done: 6 indexed, 0 unchanged, 1 skipped, 2 duplicate copies');
    expect(notices()).not.toMatch(/Scanning/);
    expect(screen.getByTestId('scan-progress').textContent).toMatch(/Scan done/);
  });

  it('gives the outcome at once when the scan ended before its start was answered', async () => {
    server({
      beforeAnswer: (http, setState) => {
        http.emit('scan-progress', progress('running'));
        setState(progress('done', { duplicates: 0 }));
        http.emit('scan-progress', progress('done', { duplicates: 0 }));
      },
    });
    await addFolder();
    await screen.findByText('Scan of /mnt/studies done: 6 indexed, 0 unchanged, 1 skipped');
    expect(notices()).not.toMatch(/Scanning/);
  });

  it('ends even when the end of the scan was missed (events lost while the live connection was down)', async () => {
    const { http, setState } = server();
    await addFolder();
    await screen.findByText('Scanning /mnt/studies…');
    setState(progress('failed', { error: 'EACCES: permission denied' }));
    act(() => http.setConnection('connecting'));
    act(() => http.setConnection('open'));
    await screen.findByText('Scan of /mnt/studies failed: EACCES: permission denied');
    await waitFor(() => expect(notices()).not.toMatch(/Scanning/));
  });
});
