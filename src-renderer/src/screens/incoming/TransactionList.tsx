import { useMemo } from 'react';
import type { IncomingSource, IncomingTransaction } from '../../../../src-shared/transactions';
import { Age } from '../../ui/Age';
import { EmptyState } from '../../ui/EmptyState';
import { formatCount } from '../../ui/format';
import { PagedList } from '../../ui/PagedList';
import { ProgressBar } from '../../ui/ProgressBar';
import { INCOMING_LOOK, incomingLook } from '../../ui/status';
import { StatusBadge } from '../../ui/StatusBadge';
import type { Column } from '../../ui/VirtualTable';
import { lookOptions, SelectFilter } from '../shared/filters';
import { useIncomingFilters } from './incoming-filters';
import { SOURCE_TEXT } from './incoming-words';

const COLUMNS: Column<IncomingTransaction>[] = [
  { key: 'source', header: 'Source', width: '104px', render: (t) => <span className={`source source-${t.source}`}>{SOURCE_TEXT[t.source]}</span> },
  { key: 'client', header: 'Client', width: 'minmax(90px, 1fr)', render: (t) => <span title={t.client}>{t.client}</span> },
  { key: 'requester', header: 'Requester', width: 'minmax(110px, 1fr)', render: (t) => <span title={t.requester}>{t.requester}</span> },
  { key: 'received', header: 'Received', width: '100px', render: (t) => <Age at={t.receivedAt} /> },
  { key: 'progress', header: 'Progress', width: '130px', render: (t) => <ProgressBar total={t.instanceCount} committed={t.committedCount} failed={t.failedCount} label={`Transaction ${t.transactionUid}`} /> },
  { key: 'instances', header: 'Instances', width: '84px', align: 'end', render: (t) => formatCount(t.instanceCount) },
  { key: 'committed', header: 'Committed', width: '100px', align: 'end', render: (t) => formatCount(t.committedCount) },
  { key: 'failed', header: 'Failed', width: '64px', align: 'end', render: (t) => (t.failedCount ? <strong className="text-bad">{formatCount(t.failedCount)}</strong> : '0') },
  { key: 'state', header: 'State', width: '150px', render: (t) => <StatusBadge look={incomingLook(t.state, t.failedCount)} /> },
  { key: 'uid', header: 'Transaction UID', width: 'minmax(150px, 2fr)', render: (t) => <span className="mono" title={t.transactionUid}>{t.transactionUid}</span> },
];

const SOURCE_OPTIONS = (Object.keys(SOURCE_TEXT) as IncomingSource[]).map((value) => ({ value, text: SOURCE_TEXT[value] }));
const STATE_OPTIONS = lookOptions(INCOMING_LOOK);

/** Every incoming transaction, newest first, a page at a time, by protocol and state; live through events. */
export function TransactionList({ selectedUid, onSelect }: { selectedUid: string | null; onSelect(uid: string): void }) {
  const { state, source, set: setFilters } = useIncomingFilters();
  const args = useMemo(() => ({ ...(state ? { state } : {}), ...(source ? { source } : {}) }), [state, source]);
  const filtered = state !== '' || source !== '';
  const filters = (
    <>
      <SelectFilter label="Source" any="DICOMweb and DIMSE" value={source} options={SOURCE_OPTIONS} onChange={(v) => setFilters({ source: v })} />
      <SelectFilter label="State" any="All states" value={state} options={STATE_OPTIONS} onChange={(v) => setFilters({ state: v })} />
    </>
  );
  return (
    <PagedList
      handler="incoming-list"
      args={args}
      kind="list"
      className="list-pane"
      label="Incoming transactions"
      testId="incoming-transactions"
      columns={COLUMNS}
      errorPrefix="Cannot load the transactions"
      toolbar={{ filters, note: (n) => `${formatCount(n)} transaction${n === 1 ? '' : 's'}` }}
      onActivate={(_, t) => onSelect(t.transactionUid)}
      isSelected={(t) => t.transactionUid === selectedUid}
      empty={
        <EmptyState title={filtered ? 'No transaction matches these filters' : 'No commitment request received yet'}>
          Other systems send them to this workstation’s DICOMweb service (…/dicomweb/commitment-requests/…) or DIMSE AE title.
        </EmptyState>
      }
    />
  );
}
