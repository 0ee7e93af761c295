import { useMemo } from 'react';
import { FailureReason } from '../../../../src-shared/dicom/failure-reasons';
import type { OutgoingInstance } from '../../../../src-shared/outgoing';
import { EmptyState } from '../../ui/EmptyState';
import { formatCount, formatTime } from '../../ui/format';
import { OutcomeFilter, ReasonFilter } from '../shared/filters';
import { instanceColumns } from '../shared/instance-columns';
import { InstanceList } from '../shared/InstanceList';
import { useOutgoingFilters } from './outgoing-filters';

const COLUMNS = instanceColumns<OutgoingInstance>({
  where: { key: 'file', header: 'File', width: 'minmax(140px, 2fr)', render: (i) => <span className="mono" title={i.filePath ?? ''}>{i.filePath ?? ''}</span> },
  decided: { key: 'updated', header: 'Decided', width: '150px', render: (i) => (i.outcome === 'pending' ? '' : formatTime(i.updatedAt)) },
});

export const FAILURE_REASON_CODES: number[] = Object.values(FailureReason);

/** The instances of one request (100,000 rows scroll smoothly: pages fetched where you look). */
export function InstanceTable({ requestId, total }: { requestId: number; total: number }) {
  const { outcome, reason, set: setFilters } = useOutgoingFilters();
  const args = useMemo(
    () => ({ id: requestId, ...(outcome ? { outcome } : {}), ...(reason !== null ? { failureReason: reason } : {}) }),
    [requestId, outcome, reason],
  );
  const filtered = outcome !== '' || reason !== null;
  const filters = (
    <>
      <OutcomeFilter value={outcome} onChange={(v) => setFilters({ outcome: v })} />
      <ReasonFilter value={reason} codes={FAILURE_REASON_CODES} onChange={(v) => setFilters({ reason: v, ...(v !== null ? { outcome: 'failed' as const } : {}) })} />
      {filtered && (
        <button type="button" className="btn btn-small" onClick={() => setFilters({ outcome: '', reason: null })}>
          Clear filters
        </button>
      )}
    </>
  );
  return (
    <InstanceList
      handler="outgoing-instances"
      args={args}
      of={`request ${requestId}`}
      columns={COLUMNS}
      toolbar={{ filters, note: (n) => (filtered ? `${formatCount(n)} of ${formatCount(total)} instances` : `${formatCount(n)} instances`) }}
      empty={<EmptyState title={filtered ? 'No instance matches these filters' : 'This request has no instances'} />}
    />
  );
}
