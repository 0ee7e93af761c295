import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { DataTable } from '../../../src-shared/contract/events';
import type { ScanProgress } from '../../../src-shared/library';
import { handlersReading } from '../../../src-shared/contract/reads';
import { useAppApi } from '../api/context';
import { InvalidationScheduler } from './invalidation';
import { API, apiKey } from './keys';

/** While a scan runs, library queries (GROUP BYs over the whole index) are refreshed at most this often. */
const LIBRARY_REFRESH_DURING_SCAN_MS = 2000;

/**
 * Keeps the queries fresh from the core's events: `data-changed {tables}` makes every
 * query whose handler reads one of the tables stale (src-shared/contract/reads.ts),
 * coalesced by an InvalidationScheduler. Scan progress and the DICOM listener's state
 * go straight into the cache (they are the data, not a hint).
 */
export function useLiveUpdates(intervalMs = 500): void {
  const { client, http } = useAppApi();
  const qc = useQueryClient();

  useEffect(() => {
    const scheduler = new InvalidationScheduler(qc, intervalMs);
    // The library changes all the time while a scan runs: its queries go through a slower lane then.
    const duringScan = new InvalidationScheduler(qc, LIBRARY_REFRESH_DURING_SCAN_MS);
    let scanning = false;
    let latestScan: ScanProgress | null = null;
    const changed = (tables: readonly DataTable[]) => {
      const slow: DataTable[] = scanning && tables.includes('library') ? ['library'] : [];
      scheduler.add(handlersReading(tables.filter((t) => !slow.includes(t))));
      if (slow.length > 0) duringScan.add(handlersReading(slow));
    };
    const offs = [
      client.listen('data-changed', ({ tables }) => changed(tables)),
      client.listen('dimse-listener-changed', (s) => {
        qc.setQueryData(apiKey('dimse-listener', {}), s);
        // The settings say whether the listener listens.
        scheduler.add(['settings-get']);
      }),
      client.listen('scan-progress', (p) => {
        const key = apiKey('library-scan-state', {});
        latestScan = p;
        qc.setQueryData(key, p);
        // A refetch that left before this event (one follows every scan start) answers with an older state and
        // would overwrite it when it lands: cancel it, then put the newest event's state back.
        if (qc.isFetching({ queryKey: key }) > 0) void qc.cancelQueries({ queryKey: key }).then(() => qc.setQueryData(key, latestScan));
        const wasScanning = scanning;
        scanning = p.state === 'running';
        // The end of a scan shows its last changes at once.
        if (wasScanning && !scanning) duringScan.flush();
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
      duringScan.dispose();
    };
  }, [client, http, qc, intervalMs]);
}
