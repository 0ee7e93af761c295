import { useMemo } from 'react';
import type { OutgoingRequest } from '../../../../src-shared/outgoing';
import { ACTIVE_STATES } from '../../../../src-shared/outgoing';
import { Age, Due } from '../../ui/Age';
import { EmptyState } from '../../ui/EmptyState';
import { formatCount } from '../../ui/format';
import { PagedList } from '../../ui/PagedList';
import { ProgressBar } from '../../ui/ProgressBar';
import { OUTGOING_LOOK, outgoingLook } from '../../ui/status';
import { StatusBadge } from '../../ui/StatusBadge';
import type { Column } from '../../ui/VirtualTable';
import { lookOptions, SelectFilter } from '../shared/filters';
import { useOutgoingFilters } from './outgoing-filters';

const COLUMNS: Column<OutgoingRequest>[] = [
  { key: 'id', header: '#', width: '56px', align: 'end', render: (r) => r.id },
  {
    key: 'job',
    header: 'Job',
    width: 'minmax(110px, 1.3fr)',
    render: (r) => (r.jobId === null ? <span className="muted">—</span> : <span title={r.jobLabel ?? ''}>#{r.jobId} {r.jobLabel}</span>),
  },
  { key: 'remote', header: 'Remote', width: 'minmax(90px, 1fr)', render: (r) => <span title={r.remoteName}>{r.remoteName}</span> },
  {
    key: 'label',
    header: 'Request',
    width: 'minmax(140px, 2fr)',
    render: (r) => <span title={`Transaction UID ${r.transactionUid}`}>{r.label ?? r.studyUid ?? r.transactionUid}</span>,
  },
  {
    key: 'progress',
    header: 'Progress',
    width: '140px',
    render: (r) => <ProgressBar total={r.instanceCount} committed={r.committedCount} failed={r.failedCount} label={`Request ${r.id}`} />,
  },
  { key: 'pending', header: 'Pending', width: '76px', align: 'end', render: (r) => formatCount(r.instanceCount - r.committedCount - r.failedCount) },
  { key: 'committed', header: 'Committed', width: '100px', align: 'end', render: (r) => formatCount(r.committedCount) },
  { key: 'failed', header: 'Failed', width: '64px', align: 'end', render: (r) => (r.failedCount ? <strong className="text-bad">{formatCount(r.failedCount)}</strong> : '0') },
  { key: 'state', header: 'State', width: '150px', render: (r) => <StatusBadge look={outgoingLook(r.state, r.failedCount)} /> },
  { key: 'age', header: 'Age', width: '90px', render: (r) => <Age at={r.createdAt} /> },
  {
    key: 'next',
    // A poll (DICOMweb), a retry, or the end of the wait for a DIMSE report.
    header: 'Next check',
    width: '80px',
    render: (r) => (ACTIVE_STATES.includes(r.state) ? <Due at={r.nextAttemptAt} /> : <span aria-label="none">—</span>),
  },
  { key: 'error', header: 'Error', width: 'minmax(100px, 2fr)', render: (r) => (r.error ? <span className="text-bad" title={r.error}>{r.error}</span> : null) },
];

const STATE_OPTIONS = lookOptions(OUTGOING_LOOK);

/** Every outgoing request, newest first, a page at a time; live through events. */
export function RequestList({ selectedId, onSelect }: { selectedId: number | null; onSelect(id: number): void }) {
  const state = useOutgoingFilters((s) => s.state);
  const setFilters = useOutgoingFilters((s) => s.set);
  const args = useMemo(() => (state ? { state } : {}), [state]);
  return (
    <PagedList
      handler="outgoing-list"
      args={args}
      kind="list"
      className="list-pane"
      label="Outgoing requests"
      testId="outgoing-requests"
      columns={COLUMNS}
      errorPrefix="Cannot load the requests"
      toolbar={{
        filters: <SelectFilter label="State" any="All states" value={state} options={STATE_OPTIONS} onChange={(v) => setFilters({ state: v })} />,
        note: (total) => `${formatCount(total)} request${total === 1 ? '' : 's'}`,
      }}
      onActivate={(_, r) => onSelect(r.id)}
      isSelected={(r) => r.id === selectedId}
      empty={
        <EmptyState title={state ? `No ${OUTGOING_LOOK[state].text.toLowerCase()} request` : 'No outgoing request yet'}>
          Select studies in the Library and press “Verify selected”.
        </EmptyState>
      }
    />
  );
}
