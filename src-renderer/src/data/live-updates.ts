import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { ScanProgress } from '../../../src-shared/library';
import { useAppApi } from '../api/context';
import { EVENT_TARGETS, LIBRARY_QUERIES } from './event-targets';
import { InvalidationScheduler } from './invalidation';
import { API, apiKey } from './keys';

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
    const offs = [
      client.listen('outgoing-changed', (p) => scheduler.add(EVENT_TARGETS['outgoing-changed'](p))),
      client.listen('incoming-changed', (p) => scheduler.add(EVENT_TARGETS['incoming-changed'](p))),
      client.listen('library-changed', () => scheduler.add(EVENT_TARGETS['library-changed']())),
      client.listen('remotes-changed', () => scheduler.add(EVENT_TARGETS['remotes-changed']())),
      client.listen('settings-changed', () => scheduler.add(EVENT_TARGETS['settings-changed']())),
      // The listener's state is the data itself, like scan progress.
      client.listen('dimse-listener-changed', (s) => {
        qc.setQueryData(apiKey('dimse-listener', {}), s);
        scheduler.add(EVENT_TARGETS['dimse-listener-changed']());
      }),
      client.listen('scan-progress', (p: ScanProgress) => {
        qc.setQueryData(apiKey('library-scan-state', {}), p);
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
