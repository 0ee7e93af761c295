import { FakeHttp } from './fake-http';
import { request, settingsRow } from './rows';

/** A browser-mode server for tests of the whole app: an empty library, two working requests, default settings. */
export function fakeAppServer(): FakeHttp {
  const http = new FakeHttp('good-token');
  http
    .on('library-summary', () => ({ studies: 0, series: 0, instances: 0, skipped: 0, conflicts: 0, duplicates: 0, flagged: 0, bytes: 0, roots: [] }))
    .on('library-scan-state', () => null)
    .on('library-studies', () => ({ rows: [], total: 0 }))
    .on('library-problems', () => ({ rows: [], total: 0 }))
    .on('library-add-folders', () => ({ scanId: 'scan-1' }))
    .on('outgoing-totals', () => ({ requests: { working: 2 }, instances: { total: 20, committed: 5, failed: 0, pending: 15 } }))
    .on('outgoing-list', () => ({ rows: [request({ id: 1 })], total: 1 }))
    .on('settings-get', () => settingsRow());
  return http;
}
