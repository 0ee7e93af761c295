import { useMemo, useState } from 'react';
import { FailureReason } from '../../../../src-shared/dicom/failure-reasons';
import type { OutgoingInstance } from '../../../../src-shared/outgoing';
import type { InstanceOutcome } from '../../../../src-shared/transactions';
import { usePagedRows } from '../../data/paged-rows';
import { useFilters } from '../../state/filters';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorText } from '../../ui/ErrorText';
import { formatCount, formatTime } from '../../ui/format';
import { VirtualTable, type Column } from '../../ui/VirtualTable';
import { OutcomeFilter, ReasonFilter } from '../shared/filters';
import { instanceColumns } from '../shared/instance-columns';


const shared = instanceColumns<OutgoingInstance>();
const COLUMNS: Column<OutgoingInstance>[] = [
  shared.seq,
  shared.sop,
  { key: 'file', header: 'File', width: 'minmax(140px, 2fr)', render: (i) => <span className="mono" title={i.filePath ?? ''}>{i.filePath ?? ''}</span> },
  shared.outcome,
  shared.reason,
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
