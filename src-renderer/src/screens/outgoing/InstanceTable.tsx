import { useMemo, useState } from 'react';
import { FailureReason, describeFailureReason } from '../../../../src-shared/dicom/failure-reasons';
import type { OutgoingInstance } from '../../../../src-shared/outgoing';
import type { InstanceOutcome } from '../../../../src-shared/transactions';
import { usePagedRows } from '../../data/paged-rows';
import { useFilters } from '../../state/filters';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorText } from '../../ui/ErrorText';
import { formatCount, formatTime } from '../../ui/format';
import { OUTCOME_LOOK } from '../../ui/status';
import { StatusBadge } from '../../ui/StatusBadge';
import { VirtualTable, type Column } from '../../ui/VirtualTable';
import { OutcomeFilter, ReasonFilter } from '../shared/filters';

/** Why an instance failed, in words: the archive's Failure Reason, or what Safekeep observed. */
export function failureText(failureReason: number | null, detail: string | null): string {
  if (failureReason !== null) return describeFailureReason(failureReason) + (detail ? ` — ${detail}` : '');
  return detail ?? '';
}

const COLUMNS: Column<OutgoingInstance>[] = [
  { key: 'seq', header: '#', width: '64px', align: 'end', render: (i) => i.seq + 1 },
  { key: 'sop', header: 'SOP Instance UID', width: 'minmax(200px, 2fr)', render: (i) => <span className="mono" title={i.sopInstanceUid}>{i.sopInstanceUid}</span> },
  { key: 'file', header: 'File', width: 'minmax(140px, 2fr)', render: (i) => <span className="mono" title={i.filePath ?? ''}>{i.filePath ?? ''}</span> },
  { key: 'outcome', header: 'Outcome', width: '120px', render: (i) => <StatusBadge look={OUTCOME_LOOK[i.outcome]} /> },
  {
    key: 'reason',
    header: 'Failure reason',
    width: 'minmax(160px, 2fr)',
    render: (i) => {
      const t = failureText(i.failureReason, i.detail);
      return t ? <span className={i.outcome === 'failed' ? 'text-bad' : ''} title={t}>{t}</span> : null;
    },
  },
  { key: 'updated', header: 'Decided', width: '150px', render: (i) => (i.outcome === 'pending' ? '' : formatTime(i.updatedAt)) },
];

export const FAILURE_REASON_CODES: number[] = Object.values(FailureReason);

/** The instances of one request (100,000 rows scroll smoothly: pages of 500 fetched where you look). */
export function InstanceTable({ requestId, total }: { requestId: number; total: number }) {
  const outcome = useFilters((s) => s.outgoingOutcome);
  const reason = useFilters((s) => s.outgoingReason);
  const setFilters = useFilters((s) => s.set);
  const args = useMemo(
    () => ({ id: requestId, ...(outcome ? { outcome } : {}), ...(reason !== null ? { failureReason: reason } : {}) }),
    [requestId, outcome, reason],
  );
  const rows = usePagedRows('outgoing-instances', args, { pageSize: 500 });
  const [active, setActive] = useState<number | null>(null);
  const filtered = outcome !== '' || reason !== null;

  return (
    <div className="instances-pane">
      <div className="toolbar">
        <OutcomeFilter value={outcome} onChange={(v: InstanceOutcome | '') => setFilters({ outgoingOutcome: v })} />
        <ReasonFilter value={reason} codes={FAILURE_REASON_CODES} onChange={(v) => setFilters({ outgoingReason: v, ...(v !== null ? { outgoingOutcome: 'failed' } : {}) })} />
        {filtered && (
          <button type="button" className="btn btn-small" onClick={() => setFilters({ outgoingOutcome: '', outgoingReason: null })}>
            Clear filters
          </button>
        )}
        <span className="toolbar-note" aria-live="polite">
          {filtered ? `${formatCount(rows.total)} of ${formatCount(total)} instances` : `${formatCount(rows.total)} instances`}
        </span>
      </div>
      <ErrorText error={rows.error} prefix="Cannot load the instances" />
      <VirtualTable
        label={`Instances of request ${requestId}`}
        testId="outgoing-instances"
        columns={COLUMNS}
        count={rows.total}
        rowAt={rows.rowAt}
        rowHeight={30}
        onRangeChange={rows.setVisibleRange}
        activeIndex={active}
        onActiveIndexChange={setActive}
        empty={rows.isLoading ? <EmptyState title="Loading…" /> : <EmptyState title={filtered ? 'No instance matches these filters' : 'This request has no instances'} />}
      />
    </div>
  );
}
