import { useApiQuery } from '../../data/api-hooks';
import { formatCount } from '../../ui/format';
import { ProgressBar } from '../../ui/ProgressBar';
import { OUTGOING_LOOK } from '../../ui/status';
import type { OutgoingState } from '../../../../src-shared/outgoing';

/** Instances and requests over everything sent: the numbers people watch during a big verification. */
export function OutgoingTotals() {
  const { data } = useApiQuery('outgoing-totals', {});
  if (!data) return <div className="totals" aria-busy="true" />;
  const i = data.instances;
  const states = Object.entries(data.requests)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${formatCount(n)} ${(OUTGOING_LOOK[s as OutgoingState]?.text ?? s).toLowerCase()}`)
    .join(' · ');
  return (
    <div className="totals" data-testid="outgoing-totals" aria-label="Outgoing totals">
      <dl className="totals-numbers">
        <div>
          <dt>Instances</dt>
          <dd data-testid="total-instances">{formatCount(i.total)}</dd>
        </div>
        <div className="tone-pending">
          <dt>
            <span aria-hidden="true">◷ </span>Pending
          </dt>
          <dd data-testid="total-pending">{formatCount(i.pending)}</dd>
        </div>
        <div className="tone-ok">
          <dt>
            <span aria-hidden="true">✓ </span>Committed
          </dt>
          <dd data-testid="total-committed">{formatCount(i.committed)}</dd>
        </div>
        <div className="tone-bad">
          <dt>
            <span aria-hidden="true">✕ </span>Failed
          </dt>
          <dd data-testid="total-failed">{formatCount(i.failed)}</dd>
        </div>
      </dl>
      <ProgressBar total={i.total} committed={i.committed} failed={i.failed} label="All outgoing instances" />
      <p className="totals-states">{states ? `Requests: ${states}` : 'No requests yet'}</p>
    </div>
  );
}
