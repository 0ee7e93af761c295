import { useQueryClient } from '@tanstack/react-query';
import type { OutgoingRequest } from '../../../../src-shared/outgoing';
import { ACTIVE_STATES, isFinal } from '../../../../src-shared/outgoing';
import { dimseDeadline } from '../../../../src-shared/dimse';
import { hex4 } from '../../../../src-shared/dicom/failure-reasons';
import type { DimseRemoteConfig } from '../../../../src-shared/remotes';
import { errorText } from '../../api/api-error';
import { useApi } from '../../api/context';
import { call, useApiQuery } from '../../data/api-hooks';
import { handlerKey } from '../../data/keys';
import { routeToHash, useNavigation } from '../../state/navigation';
import { useToasts } from '../../state/toasts';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { downloadText } from '../../ui/download';
import { ErrorText } from '../../ui/ErrorText';
import { Fact } from '../../ui/Fact';
import { formatCount, formatTime } from '../../ui/format';
import { ProgressBar } from '../../ui/ProgressBar';
import { outgoingLook } from '../../ui/status';
import { StatusBadge } from '../../ui/StatusBadge';
import { Age, Due } from '../../ui/Age';
import { DimseListenerStatus } from '../shared/DimseListenerStatus';
import { InstanceTable } from './InstanceTable';
import { useNow } from '../../ui/now';
import { describeSituation } from '../../../../src-shared/outgoing-situation';
import { JobTimeline } from './JobTimeline';

const RESENDABLE = ['lost', 'failed', 'timed_out', 'cancelled'];

/** One request: what it is, where it stands, what can be done with it, and its instances. */
export function RequestDetail({ id }: { id: number }) {
  const { data: r, error } = useApiQuery('outgoing-get', { id });
  if (error) return <ErrorText error={error} prefix={`Request ${id}`} />;
  if (!r) return <div className="detail-pane" aria-busy="true" />;
  return (
    <section className="detail-pane" aria-label={`Request ${r.id}`}>
      <RequestHeader r={r} />
      <RequestActions r={r} />
      {r.jobId !== null && <JobTimeline jobId={r.jobId} />}
      <InstanceTable requestId={r.id} total={r.instanceCount} />
    </section>
  );
}

function RequestHeader({ r }: { r: OutgoingRequest }) {
  const pending = r.instanceCount - r.committedCount - r.failedCount;
  const remotes = useApiQuery('remotes-list', {});
  const remote = remotes.data?.find((x) => x.id === r.remoteId);
  // A DIMSE request has no polls nor HTTP status: it waits for the archive's N-EVENT-REPORT.
  const dimse = remote?.kind === 'dimse' ? remote.config : null;
  const active = ACTIVE_STATES.includes(r.state);
  return (
    <header className="detail-head">
      <div className="detail-title">
        <h2>
          Request #{r.id} <span className="muted">to {r.remoteName}</span>
        </h2>
        <StatusBadge look={outgoingLook(r.state, r.failedCount)} />
      </div>
      <p className="detail-label">{r.label ?? r.studyUid ?? ''}</p>
      <ProgressBar total={r.instanceCount} committed={r.committedCount} failed={r.failedCount} label={`Request ${r.id}`} />
      <dl className="facts">
        <Fact term="Instances" value={formatCount(r.instanceCount)} />
        <Fact term="Pending" value={formatCount(pending)} tone="pending" />
        <Fact term="Committed" value={formatCount(r.committedCount)} tone="ok" />
        <Fact term="Failed" value={formatCount(r.failedCount)} tone={r.failedCount ? 'bad' : undefined} />
        <Fact term="Transaction UID" value={<span className="mono selectable">{r.transactionUid}</span>} />
        <Fact term="Form" value={r.form === 'study' ? 'Per study' : 'Flat'} />
        <Fact term="Created" value={<Age at={r.createdAt} />} />
        <Fact term="Sent" value={formatTime(r.sentAt) || '—'} />
        <Fact term="Last contact" value={formatTime(r.lastContactAt) || '—'} />
        {active && (dimse ? <DimseProgress r={r} c={dimse} /> : <Fact term="Next poll" value={<Due at={r.nextAttemptAt} />} />)}
        {r.completedAt !== null && <Fact term="Completed" value={formatTime(r.completedAt)} />}
        {dimse ? <Fact term="N-ACTION attempts" value={String(r.attempts)} /> : <Fact term="Attempts / polls" value={`${r.attempts} / ${r.polls}`} />}
        {r.status !== null && <Fact term={r.protocol === 'dimse' ? 'N-ACTION status' : 'Last HTTP status'} value={r.protocol === 'dimse' ? hex4(r.status) : String(r.status)} />}
        {r.leaseOwner && active && <Fact term="Worked by node" value={<span className="mono">{r.leaseOwner}</span>} />}
        {r.jobId !== null && <Fact term="Job" value={`#${r.jobId}${r.jobLabel ? ` — ${r.jobLabel}` : ''}`} />}
        {r.proxyFor !== null && (
          <Fact
            term="Forwards"
            value={
              <a href={routeToHash({ screen: 'incoming', transactionUid: r.proxyFor })} title="The incoming transaction this request forwards">
                incoming {r.proxyFor}
              </a>
            }
          />
        )}
      </dl>
      {dimse && active && <DimseListenerStatus archive={dimse} />}
      <Situation r={r} />
      {r.error && (
        <p className="error-text" role="alert">
          <span aria-hidden="true">✕ </span>
          {r.error}
        </p>
      )}
    </header>
  );
}

/** Where an active DIMSE request stands: sending, waiting for a retry, or waiting for the report until its deadline. */
function DimseProgress({ r, c }: { r: OutgoingRequest; c: DimseRemoteConfig }) {
  if (r.state === 'working') {
    const deadline = dimseDeadline(r, c.deadlineHours);
    return <Fact term="Archive’s report" value={`waiting for the N-EVENT-REPORT until ${formatTime(deadline)}`} />;
  }
  if (r.state === 'queued' && r.attempts > 0) return <Fact term="Next N-ACTION attempt" value={<Due at={r.nextAttemptAt} />} />;
  return <Fact term="N-ACTION" value={r.state === 'queued' ? 'about to be sent' : 'being sent'} />;
}

/** What is happening now, in the CLI's words ("archive answered HTTP 500; retry 4 in 40 s; gives up at 14:05"). */
function Situation({ r }: { r: OutgoingRequest }) {
  const now = useNow();
  const remotes = useApiQuery('remotes-list', {});
  const remote = remotes.data?.find((x) => x.id === r.remoteId);
  const s = describeSituation(r, remote ? { kind: remote.kind, deadlineHours: remote.config.deadlineHours } : null, now);
  if (!s) return null;
  return (
    <p className={s.trouble ? 'situation text-bad' : 'situation muted'} role="status" data-testid="request-situation">
      Now: {s.text}
    </p>
  );
}

function RequestActions({ r }: { r: OutgoingRequest }) {
  const client = useApi();
  const qc = useQueryClient();
  const go = useNavigation((s) => s.go);
  const toast = useToasts((s) => s.show);
  const refresh = () => {
    for (const h of ['outgoing-get', 'outgoing-list', 'outgoing-instances', 'outgoing-totals'] as const) void qc.invalidateQueries({ queryKey: handlerKey(h) });
  };
  const notCommitted = r.instanceCount - r.committedCount;

  const exportCsv = async () => {
    const res = await client.send('report-csv', { requestIds: [r.id] });
    if (!res.ok) return toast('error', `Export failed: ${res.error.message}`);
    downloadText(res.value.filename, res.value.csv);
  };

  const resendFailed = async () => {
    try {
      const next = await call(client, 'outgoing-resend-failed', { id: r.id });
      refresh();
      toast('ok', `Request #${next.id} resends ${formatCount(next.instanceCount)} instance(s) not committed by #${r.id}`);
      go({ screen: 'outgoing', requestId: next.id });
    } catch (e) {
      toast('error', errorText(e));
    }
  };

  return (
    <div className="actions" role="group" aria-label="Request actions">
      {!isFinal(r.state) && (
        <ConfirmButton
          className="btn btn-danger"
          title={`Cancel request #${r.id}?`}
          message={
            <p>
              Safekeep stops polling {r.remoteName} for this request. Instances not decided yet are marked <strong>failed: not verified</strong>. You can resend them later.
            </p>
          }
          confirmLabel="Cancel request"
          onConfirm={async () => {
            await call(client, 'outgoing-cancel', { id: r.id });
            refresh();
            toast('info', `Request #${r.id} cancelled`);
          }}
        >
          Cancel…
        </ConfirmButton>
      )}
      {RESENDABLE.includes(r.state) && (
        <ConfirmButton
          title={`Resend request #${r.id}?`}
          message={<p>All {formatCount(r.instanceCount)} instances go back to pending and are sent again to {r.remoteName} under a new Transaction UID.</p>}
          confirmLabel="Resend"
          onConfirm={async () => {
            await call(client, 'outgoing-resend', { id: r.id });
            refresh();
            toast('info', `Request #${r.id} sent again`);
          }}
        >
          Resend…
        </ConfirmButton>
      )}
      {isFinal(r.state) && notCommitted > 0 && (
        <button type="button" className="btn" onClick={resendFailed}>
          Resend {formatCount(notCommitted)} not committed
        </button>
      )}
      {isFinal(r.state) && r.failedCount > 0 && r.proxyFor === null && (
        <button
          type="button"
          className="btn"
          title="Store what the archive lacks, then ask again: in the report of this request"
          onClick={() => go({ screen: 'report', report: { kind: 'requests', requestIds: [r.id] } })}
        >
          Send missing and verify…
        </button>
      )}
      <button type="button" className="btn" onClick={exportCsv}>
        Export CSV
      </button>
      <button type="button" className="btn" onClick={() => go({ screen: 'report', report: { kind: 'requests', requestIds: [r.id] } })}>
        Report
      </button>
      {r.jobId !== null && (
        <button type="button" className="btn" onClick={() => go({ screen: 'report', report: { kind: 'job', jobId: r.jobId! } })}>
          Job #{r.jobId} report
        </button>
      )}
    </div>
  );
}
