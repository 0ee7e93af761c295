import { useApiMutation, useApiQuery } from '../../data/api-hooks';
import { ErrorText } from '../../ui/ErrorText';
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
        <div>
          <dt>Files seen</dt>
          <dd>{formatCount(p.filesSeen)}</dd>
        </div>
        <div>
          <dt>Indexed</dt>
          <dd>{formatCount(p.indexed)}</dd>
        </div>
        <div>
          <dt>Unchanged</dt>
          <dd>{formatCount(p.unchanged)}</dd>
        </div>
        <div className={p.skipped + p.conflicts ? 'tone-warn' : undefined}>
          <dt>Skipped</dt>
          <dd>{formatCount(p.skipped + p.conflicts)}</dd>
        </div>
        {p.duplicates > 0 && (
          <div>
            <dt>Duplicate copies</dt>
            <dd>{formatCount(p.duplicates)}</dd>
          </div>
        )}
        {p.flagged > 0 && (
          <div className="tone-warn">
            <dt>Flagged</dt>
            <dd>{formatCount(p.flagged)}</dd>
          </div>
        )}
        <div>
          <dt>Read</dt>
          <dd>
            {formatBytes(p.bytesRead)} of {formatBytes(p.bytesOfFiles)}
          </dd>
        </div>
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
