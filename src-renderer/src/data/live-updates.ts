import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { DataTable } from '../../../src-shared/contract/events';
import type { ScanProgress } from '../../../src-shared/library';
import { useAppApi } from '../api/context';
import { EVENT_TARGETS, LIBRARY_QUERIES } from './event-targets';
import { InvalidationScheduler, type Target } from './invalidation';
import { API, apiKey } from './keys';

/**
 * Shim (async-store) until the renderer invalidates from data-changed generically (arch-ui): what each
 * table's former per-domain event refreshed, every item (the event names tables, not ids).
 */
const TABLE_TARGETS: Record<DataTable, Target[]> = {
  library: EVENT_TARGETS['library-changed'](),
  outgoing: EVENT_TARGETS['outgoing-changed']({ requestIds: [] }).map(({ handler }) => ({ handler })),
  verdicts: EVENT_TARGETS['outgoing-changed']({ requestIds: [] }).map(({ handler }) => ({ handler })),
  incoming: EVENT_TARGETS['incoming-changed']({ transactionUids: [] }),
  remotes: EVENT_TARGETS['remotes-changed'](),
  settings: EVENT_TARGETS['settings-changed'](),
  tokens: [{ handler: 'tokens-list' }],
};

/** While a scan runs, the studies list is refreshed at most this often (a GROUP BY over the whole index). */
const LIBRARY_REFRESH_DURING_SCAN_MS = 2000;

/**
 * Keeps the queries fresh from the core's events: one subscription per event for
 * the whole app, invalidations coalesced by an InvalidationScheduler. Scan progress
 * goes straight into the cache (it is the data, not a hint).
 */
export function useLiveUpdates(intervalMs = 500): void {
  const { client, http } = useAppApi();
  const qc = useQueryClient();

  useEffect(() => {
    const scheduler = new InvalidationScheduler(qc, intervalMs);
    let lastLibraryRefresh = 0;
    let scanning = false;
    const offs = [
      client.listen('data-changed', ({ tables }) => {
        // While a scan runs, scan-progress refreshes the library (at most every 2 s, and at its end).
        for (const t of tables) if (t !== 'library' || !scanning) scheduler.add(TABLE_TARGETS[t]);
      }),
      // The listener's state is the data itself, like scan progress.
      client.listen('dimse-listener-changed', (s) => {
        qc.setQueryData(apiKey('dimse-listener', {}), s);
        scheduler.add(EVENT_TARGETS['dimse-listener-changed']());
      }),
      client.listen('scan-progress', (p: ScanProgress) => {
        qc.setQueryData(apiKey('library-scan-state', {}), p);
        scanning = p.state === 'running';
        const now = performance.now();
        if (p.state !== 'running' || now - lastLibraryRefresh > LIBRARY_REFRESH_DURING_SCAN_MS) {
          lastLibraryRefresh = now;
          scheduler.add((p.state === 'running' ? ['library-summary', 'library-studies'] as const : LIBRARY_QUERIES).map((handler) => ({ handler })));
        }
      }),
    ];
    // Events missed while the stream was down: refresh everything once it is back.
    let wasDown = false;
    const offConnection = http?.onConnection((s) => {
      if (s !== 'open') wasDown = true;
      else if (wasDown) {
        wasDown = false;
        void qc.invalidateQueries({ queryKey: [API] });
      }
    });
    return () => {
      offs.forEach((off) => off());
      offConnection?.();
      scheduler.dispose();
    };
  }, [client, http, qc, intervalMs]);
}
