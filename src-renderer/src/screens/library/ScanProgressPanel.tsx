import { useApiMutation, useApiQuery } from '../../data/api-hooks';
import { ErrorText } from '../../ui/ErrorText';
import { Fact } from '../../ui/Fact';
import { formatBytes, formatCount } from '../../ui/format';
import { StatusBadge } from '../../ui/StatusBadge';
import type { StatusLook } from '../../ui/status';
import type { ScanProgress } from '../../../../src-shared/library';

const SCAN_LOOK: Record<ScanProgress['state'], StatusLook> = {
  running: { tone: 'active', icon: '⟳', text: 'Scanning' },
  done: { tone: 'ok', icon: '✓', text: 'Scan done' },
  cancelled: { tone: 'muted', icon: '⊘', text: 'Scan cancelled' },
  failed: { tone: 'bad', icon: '✕', text: 'Scan failed' },
};

/** The running (or last) scan, straight from the scan-progress events; Cancel while it runs. */
export function ScanProgressPanel() {
  const { data: p } = useApiQuery('library-scan-state', {});
  const cancel = useApiMutation('library-cancel-scan');
  if (!p) return null;
  const running = p.state === 'running';
  return (
    <div className={`scan-progress ${running ? 'is-running' : ''}`} role="status" aria-live="polite" aria-label="Library scan" data-testid="scan-progress">
      <StatusBadge look={SCAN_LOOK[p.state]} />
      <dl className="inline-facts">
        <Fact term="Files seen" value={formatCount(p.filesSeen)} />
        <Fact term="Indexed" value={formatCount(p.indexed)} />
        <Fact term="Unchanged" value={formatCount(p.unchanged)} />
        <Fact term="Skipped" value={formatCount(p.skipped + p.conflicts)} tone={p.skipped + p.conflicts ? 'warn' : undefined} />
        {p.duplicates > 0 && <Fact term="Duplicate copies" value={formatCount(p.duplicates)} />}
        {p.flagged > 0 && <Fact term="Flagged" value={formatCount(p.flagged)} tone="warn" />}
        <Fact term="Read" value={`${formatBytes(p.bytesRead)} of ${formatBytes(p.bytesOfFiles)}`} />
      </dl>
      <span className="muted scan-roots" title={p.roots.join('\n')}>
        {p.roots.length === 1 ? p.roots[0] : `${p.roots.length} folders`}
      </span>
      {running && (
        <button type="button" className="btn btn-small" onClick={() => cancel.mutate({})} disabled={cancel.isPending}>
          Cancel scan
        </button>
      )}
      {p.error && <p className="error-text">{p.error}</p>}
      <ErrorText error={cancel.error} />
    </div>
  );
}
