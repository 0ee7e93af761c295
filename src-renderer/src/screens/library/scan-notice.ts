import type { QueryClient } from '@tanstack/react-query';
import type { ScanProgress } from '../../../../src-shared/library';
import { apiKey } from '../../data/keys';
import { useToasts } from '../../state/toasts';

/** "Scan of X done: 6 indexed, 0 unchanged, 1 skipped, 2 duplicate copies". */
export function scanOutcomeText(what: string, p: ScanProgress): string {
  if (p.state === 'failed') return `Scan of ${what} failed: ${p.error ?? 'unknown error'}`;
  const counts = [`${p.indexed.toLocaleString('en-US')} indexed`, `${p.unchanged.toLocaleString('en-US')} unchanged`];
  const more: [number, string, string][] = [
    [p.skipped, 'skipped', 'skipped'],
    [p.conflicts, 'conflict', 'conflicts'],
    [p.duplicates, 'duplicate copy', 'duplicate copies'],
    [p.flagged, 'flagged', 'flagged'],
  ];
  for (const [n, one, many] of more) if (n > 0) counts.push(`${n.toLocaleString('en-US')} ${n === 1 ? one : many}`);
  return `Scan of ${what} ${p.state === 'cancelled' ? 'cancelled' : 'done'}: ${counts.join(', ')}`;
}

/**
 * The notice of a scan the user started: "Scanning X…" while it runs, replaced by its outcome when it ends.
 * The scan's state comes from the query cache (the scan-progress events, or a refetch after missed events),
 * so the notice ends even when the scan ended before its start was answered.
 */
export function watchScan(qc: QueryClient, scanId: string | null, what: string): void {
  if (!scanId) return;
  const key = `scan:${scanId}`;
  const toasts = useToasts.getState();
  const stateKey = apiKey('library-scan-state', {});
  const check = (): boolean => {
    const p = qc.getQueryData<ScanProgress | null>(stateKey);
    if (!p) return false;
    if (p.scanId !== scanId) {
      // Another scan runs (one at a time): this one is over, its outcome missed (events lost meanwhile).
      if (p.state !== 'running') return false;
      toasts.dismissKey(key);
      return true;
    }
    if (p.state === 'running') return false;
    useToasts.getState().show(p.state === 'failed' ? 'error' : 'info', scanOutcomeText(what, p), { key });
    return true;
  };
  if (check()) return;
  toasts.show('info', `Scanning ${what}…`, { key, sticky: true });
  const off = qc.getQueryCache().subscribe((e) => {
    if (e.type === 'updated' && e.query.queryKey[1] === 'library-scan-state' && check()) off();
  });
}
