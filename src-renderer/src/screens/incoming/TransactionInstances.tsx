import { useMemo } from 'react';
import type { IncomingInstance } from '../../../../src-shared/transactions';
import { EmptyState } from '../../ui/EmptyState';
import { formatCount, formatTime } from '../../ui/format';
import { OutcomeFilter } from '../shared/filters';
import { instanceColumns } from '../shared/instance-columns';
import { InstanceList } from '../shared/InstanceList';
import { useIncomingFilters } from './incoming-filters';

const COLUMNS = instanceColumns<IncomingInstance>({
  where: { key: 'study', header: 'Study', width: 'minmax(120px, 1fr)', render: (i) => <span className="mono" title={i.studyUid ?? ''}>{i.studyUid ?? ''}</span> },
  decided: { key: 'decided', header: 'Decided', width: '150px', render: (i) => formatTime(i.decidedAt) },
});

/** The instances of one incoming transaction and the outcome of each, a page at a time. */
export function TransactionInstances({ uid }: { uid: string }) {
  const outcome = useIncomingFilters((s) => s.outcome);
  const setFilters = useIncomingFilters((s) => s.set);
  const args = useMemo(() => ({ transactionUid: uid, ...(outcome ? { outcome } : {}) }), [uid, outcome]);
  return (
    <InstanceList
      handler="incoming-instances"
      args={args}
      of={`transaction ${uid}`}
      columns={COLUMNS}
      toolbar={{ filters: <OutcomeFilter value={outcome} onChange={(v) => setFilters({ outcome: v })} />, note: (n) => `${formatCount(n)} instances` }}
      empty={<EmptyState title="No instance matches this filter" />}
    />
  );
}
