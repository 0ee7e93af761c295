import type { IncomingTransaction } from '../../../../src-shared/transactions';
import { useApiQuery } from '../../data/api-hooks';
import { ErrorText } from '../../ui/ErrorText';
import { Fact } from '../../ui/Fact';
import { formatCount, formatTime } from '../../ui/format';
import { ProgressBar } from '../../ui/ProgressBar';
import { incomingLook } from '../../ui/status';
import { StatusBadge } from '../../ui/StatusBadge';
import { REPORT_TEXT, SOURCE_TEXT } from './incoming-words';
import { TransactionInstances } from './TransactionInstances';

/** One incoming transaction: who asked, where it stands, its N-EVENT-REPORT (DIMSE), and its instances. */
export function TransactionDetail({ uid }: { uid: string }) {
  const { data: t, error } = useApiQuery('incoming-get', { transactionUid: uid });
  if (error) return <ErrorText error={error} prefix={`Transaction ${uid}`} />;
  if (!t) return <div className="detail-pane" aria-busy="true" />;
  return (
    <section className="detail-pane" aria-label={`Transaction ${t.transactionUid}`}>
      <TransactionHeader t={t} />
      <TransactionInstances uid={t.transactionUid} />
    </section>
  );
}

function TransactionHeader({ t }: { t: IncomingTransaction }) {
  return (
    <header className="detail-head">
      <div className="detail-title">
        <h2>
          {SOURCE_TEXT[t.source]} request from {t.client} <span className="muted">({t.requester})</span>
        </h2>
        <StatusBadge look={incomingLook(t.state, t.failedCount)} />
      </div>
      <ProgressBar total={t.instanceCount} committed={t.committedCount} failed={t.failedCount} label="This transaction" />
      <dl className="facts">
        <Fact term="Transaction UID" value={<span className="mono selectable">{t.transactionUid}</span>} />
        <Fact term="Received" value={formatTime(t.receivedAt)} />
        <Fact term="Instances" value={formatCount(t.instanceCount)} />
        <Fact term="Committed" value={formatCount(t.committedCount)} tone="ok" />
        <Fact term="Failed" value={formatCount(t.failedCount)} tone={t.failedCount ? 'bad' : undefined} />
        <Fact term="Policy" value={t.policy} />
        {t.completedAt !== null && <Fact term="Completed" value={formatTime(t.completedAt)} />}
        {t.expiresAt !== null && <Fact term="Result kept until" value={formatTime(t.expiresAt)} />}
        {t.reportState && (
          <Fact
            term="N-EVENT-REPORT"
            value={`${REPORT_TEXT[t.reportState]} (${t.reportAttempts} attempt${t.reportAttempts === 1 ? '' : 's'})`}
            tone={t.reportState === 'failed' ? 'bad' : undefined}
          />
        )}
      </dl>
      {t.reportError && (
        <p className="error-text" role="alert">
          {t.reportError}
        </p>
      )}
    </header>
  );
}
