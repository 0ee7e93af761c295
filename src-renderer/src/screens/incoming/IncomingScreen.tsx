import { useMemo, useState } from 'react';
import type { IncomingInstance, IncomingSource, IncomingState, IncomingTransaction } from '../../../../src-shared/transactions';
import { useApiQuery } from '../../data/api-hooks';
import { usePagedRows } from '../../data/paged-rows';
import { useFilters } from '../../state/filters';
import { useNavigation } from '../../state/navigation';
import { Age } from '../../ui/Age';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorText } from '../../ui/ErrorText';
import { formatCount, formatTime } from '../../ui/format';
import { ProgressBar } from '../../ui/ProgressBar';
import { INCOMING_LOOK, incomingLook } from '../../ui/status';
import { StatusBadge } from '../../ui/StatusBadge';
import { VirtualTable, type Column } from '../../ui/VirtualTable';
import { instanceColumns } from '../shared/instance-columns';
import { OutcomeFilter } from '../shared/filters';

const SOURCE_TEXT: Record<IncomingSource, string> = { dicomweb: 'DICOMweb', dimse: 'DIMSE' };

const REPORT_TEXT: Record<NonNullable<IncomingTransaction['reportState']>, string> = {
  pending: 'Report pending',
  sent: 'Report sent',
  retrying: 'Report retrying',
  failed: 'Report failed',
};

const TX_COLUMNS: Column<IncomingTransaction>[] = [
  { key: 'source', header: 'Source', width: '104px', render: (t) => <span className={`source source-${t.source}`}>{SOURCE_TEXT[t.source]}</span> },
  { key: 'client', header: 'Client', width: 'minmax(90px, 1fr)', render: (t) => <span title={t.client}>{t.client}</span> },
  { key: 'requester', header: 'Requester', width: 'minmax(110px, 1fr)', render: (t) => <span title={t.requester}>{t.requester}</span> },
  { key: 'received', header: 'Received', width: '100px', render: (t) => <Age at={t.receivedAt} /> },
  { key: 'progress', header: 'Progress', width: '130px', render: (t) => <ProgressBar total={t.instanceCount} committed={t.committedCount} failed={t.failedCount} label={`Transaction ${t.transactionUid}`} /> },
  { key: 'instances', header: 'Instances', width: '84px', align: 'end', render: (t) => formatCount(t.instanceCount) },
  { key: 'committed', header: 'Committed', width: '100px', align: 'end', render: (t) => formatCount(t.committedCount) },
  { key: 'failed', header: 'Failed', width: '64px', align: 'end', render: (t) => (t.failedCount ? <strong className="text-bad">{formatCount(t.failedCount)}</strong> : '0') },
  {
    key: 'state',
    header: 'State',
    width: '150px',
    render: (t) => <StatusBadge look={incomingLook(t.state, t.failedCount)} />,
  },
  { key: 'uid', header: 'Transaction UID', width: 'minmax(150px, 2fr)', render: (t) => <span className="mono" title={t.transactionUid}>{t.transactionUid}</span> },
];

const sharedColumns = instanceColumns<IncomingInstance>();
const INSTANCE_COLUMNS: Column<IncomingInstance>[] = [
  sharedColumns.seq,
  sharedColumns.sop,
  { key: 'study', header: 'Study', width: 'minmax(120px, 1fr)', render: (i) => <span className="mono" title={i.studyUid ?? ''}>{i.studyUid ?? ''}</span> },
  sharedColumns.outcome,
  sharedColumns.reason,
  { key: 'decided', header: 'Decided', width: '150px', render: (i) => formatTime(i.decidedAt) },
];

/** Incoming: the commitment requests other systems sent to this workstation (DICOMweb and DIMSE), live. */
export function IncomingScreen() {
  const uid = useNavigation((s) => s.route.transactionUid ?? null);
  const go = useNavigation((s) => s.go);
  return (
    <div className="screen split-screen">
      <TransactionList selectedUid={uid} onSelect={(u) => go({ screen: 'incoming', transactionUid: u })} />
      {uid ? (
        <TransactionDetail key={uid} uid={uid} />
      ) : (
        <div className="detail-pane">
          <EmptyState title="No transaction selected">Choose a transaction above to see the outcome of each instance.</EmptyState>
        </div>
      )}
    </div>
  );
}

function TransactionList({ selectedUid, onSelect }: { selectedUid: string | null; onSelect(uid: string): void }) {
  const state = useFilters((s) => s.incomingState);
  const source = useFilters((s) => s.incomingSource);
  const setFilters = useFilters((s) => s.set);
  const args = useMemo(() => ({ ...(state ? { state } : {}), ...(source ? { source } : {}) }), [state, source]);
  const rows = usePagedRows('incoming-list', args, { pageSize: 200 });
  const [active, setActive] = useState<number | null>(null);
  const filtered = state !== '' || source !== '';
  return (
    <div className="list-pane">
      <div className="toolbar">
        <label className="inline-field">
          Source
          <select value={source} onChange={(e) => setFilters({ incomingSource: e.target.value as IncomingSource | '' })}>
            <option value="">DICOMweb and DIMSE</option>
            <option value="dicomweb">DICOMweb</option>
            <option value="dimse">DIMSE</option>
          </select>
        </label>
        <label className="inline-field">
          State
          <select value={state} onChange={(e) => setFilters({ incomingState: e.target.value as IncomingState | '' })}>
            <option value="">All states</option>
            {(Object.keys(INCOMING_LOOK) as IncomingState[]).map((s) => (
              <option key={s} value={s}>
                {INCOMING_LOOK[s].text}
              </option>
            ))}
          </select>
        </label>
        <span className="toolbar-note" aria-live="polite">
          {formatCount(rows.total)} transaction{rows.total === 1 ? '' : 's'}
        </span>
      </div>
      <ErrorText error={rows.error} prefix="Cannot load the transactions" />
      <VirtualTable
        label="Incoming transactions"
        testId="incoming-transactions"
        columns={TX_COLUMNS}
        count={rows.total}
        rowAt={rows.rowAt}
        rowHeight={34}
        onRangeChange={rows.setVisibleRange}
        activeIndex={active}
        onActiveIndexChange={setActive}
        onActivate={(_, t) => onSelect(t.transactionUid)}
        isSelected={(t) => t.transactionUid === selectedUid}
        empty={
          rows.isLoading ? (
            <EmptyState title="Loading…" />
          ) : (
            <EmptyState title={filtered ? 'No transaction matches these filters' : 'No commitment request received yet'}>
              Other systems send them to this workstation’s DICOMweb service (…/dicomweb/commitment-requests/…) or DIMSE AE title.
            </EmptyState>
          )
        }
      />
    </div>
  );
}

function TransactionDetail({ uid }: { uid: string }) {
  const { data: t, error } = useApiQuery('incoming-get', { transactionUid: uid });
  const outcome = useFilters((s) => s.incomingOutcome);
  const setFilters = useFilters((s) => s.set);
  const args = useMemo(() => ({ transactionUid: uid, ...(outcome ? { outcome } : {}) }), [uid, outcome]);
  const rows = usePagedRows('incoming-instances', args, { pageSize: 500 });
  const [active, setActive] = useState<number | null>(null);
  if (error) return <ErrorText error={error} prefix={`Transaction ${uid}`} />;
  if (!t) return <div className="detail-pane" aria-busy="true" />;
  return (
    <section className="detail-pane" aria-label={`Transaction ${t.transactionUid}`}>
      <header className="detail-head">
        <div className="detail-title">
          <h2>
            {SOURCE_TEXT[t.source]} request from {t.client} <span className="muted">({t.requester})</span>
          </h2>
          <StatusBadge look={incomingLook(t.state, t.failedCount)} />
        </div>
        <ProgressBar total={t.instanceCount} committed={t.committedCount} failed={t.failedCount} label="This transaction" />
        <dl className="facts">
          <div>
            <dt>Transaction UID</dt>
            <dd className="mono selectable">{t.transactionUid}</dd>
          </div>
          <div>
            <dt>Received</dt>
            <dd>{formatTime(t.receivedAt)}</dd>
          </div>
          <div>
            <dt>Instances</dt>
            <dd>{formatCount(t.instanceCount)}</dd>
          </div>
          <div className="tone-ok">
            <dt>Committed</dt>
            <dd>{formatCount(t.committedCount)}</dd>
          </div>
          <div className={t.failedCount ? 'tone-bad' : undefined}>
            <dt>Failed</dt>
            <dd>{formatCount(t.failedCount)}</dd>
          </div>
          <div>
            <dt>Policy</dt>
            <dd>{t.policy}</dd>
          </div>
          {t.completedAt !== null && (
            <div>
              <dt>Completed</dt>
              <dd>{formatTime(t.completedAt)}</dd>
            </div>
          )}
          {t.expiresAt !== null && (
            <div>
              <dt>Result kept until</dt>
              <dd>{formatTime(t.expiresAt)}</dd>
            </div>
          )}
          {t.reportState && (
            <div className={t.reportState === 'failed' ? 'tone-bad' : undefined}>
              <dt>N-EVENT-REPORT</dt>
              <dd>
                {REPORT_TEXT[t.reportState]} ({t.reportAttempts} attempt{t.reportAttempts === 1 ? '' : 's'})
              </dd>
            </div>
          )}
        </dl>
        {t.reportError && (
          <p className="error-text" role="alert">
            {t.reportError}
          </p>
        )}
      </header>
      <div className="instances-pane">
        <div className="toolbar">
          <OutcomeFilter value={outcome} onChange={(v) => setFilters({ incomingOutcome: v })} />
          <span className="toolbar-note" aria-live="polite">
            {formatCount(rows.total)} instances
          </span>
        </div>
        <ErrorText error={rows.error} prefix="Cannot load the instances" />
        <VirtualTable
          label={`Instances of transaction ${t.transactionUid}`}
          testId="incoming-instances"
          columns={INSTANCE_COLUMNS}
          count={rows.total}
          rowAt={rows.rowAt}
          rowHeight={30}
          onRangeChange={rows.setVisibleRange}
          activeIndex={active}
          onActiveIndexChange={setActive}
          empty={rows.isLoading ? <EmptyState title="Loading…" /> : <EmptyState title="No instance matches this filter" />}
        />
      </div>
    </section>
  );
}
