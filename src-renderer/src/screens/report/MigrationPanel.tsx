import { useEffect, useState } from 'react';
import type { CrossCheckResult, CrossCheckStudy } from '../../../../src-shared/crosscheck';
import type { ResendProgress, ResendSummary } from '../../../../src-shared/resend';
import type { ReportScope } from '../../../../src-shared/report';
import { useApi } from '../../api/context';
import { call } from '../../data/api-hooks';
import { ErrorText } from '../../ui/ErrorText';
import { formatCount } from '../../ui/format';
import { ContentCheck } from './ContentCheck';

/** The studies of the report (the archive's verdicts, a job, requests): what "Send missing" and "Compare" work on. */
async function studiesOf(client: ReturnType<typeof useApi>, scope: ReportScope): Promise<string[]> {
  const page = await call(client, 'report-studies', { ...scope, limit: 100_000, offset: 0 });
  return page.rows.map((r) => r.studyUid);
}

function progressText(p: ResendProgress): string {
  const head = `Round ${p.round} of ${p.rounds}`;
  if (p.phase === 'committing') return `${head}: ${formatCount(p.stored)} stored; asking the archive for commitment again…`;
  const left = p.secondsLeft === null ? '' : `, ${p.secondsLeft} s left`;
  return `${head}: ${formatCount(p.done)} of ${formatCount(p.total)} sent, ${formatCount(p.stored)} stored · ${p.instancesPerSecond} instances/s, ${p.megabytesPerSecond} MB/s${left}`;
}

/**
 * Actions that finish a migration, on the studies of a report about one archive: send what the archive lacks
 * and ask again (with live progress), and set each study beside its own listing (C-FIND or QIDO-RS) and the
 * verdicts. Only instances whose verdict failed with 0112H or 0110H are sent.
 */
export function MigrationPanel({ remoteId, scope }: { remoteId: number; scope: ReportScope }) {
  const client = useApi();
  const [busy, setBusy] = useState<'send' | 'compare' | null>(null);
  const [progress, setProgress] = useState<ResendProgress | null>(null);
  const [sent, setSent] = useState<ResendSummary | null>(null);
  const [compared, setCompared] = useState<CrossCheckResult | null>(null);
  const [error, setError] = useState<Error | null>(null);

  useEffect(() => client.listen('resend-progress', (p) => p.remoteId === remoteId && setProgress(p)), [client, remoteId]);

  const run = async (what: 'send' | 'compare') => {
    setBusy(what);
    setError(null);
    setProgress(null);
    try {
      const studies = await studiesOf(client, scope);
      if (what === 'send') setSent(await call(client, 'migration-send-missing', { remoteId, selection: { studies }, rounds: 3 }));
      else setCompared(await call(client, 'migration-compare', { remoteId, selection: { studies } }));
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="no-print migration-panel" aria-label="Finish the migration">
      <h2>Finish the migration</h2>
      <div className="toolbar">
        <button type="button" className="btn btn-primary" disabled={busy !== null} onClick={() => void run('send')} title="Store what the archive lacks (0112H, 0110H), then ask for commitment again">
          {busy === 'send' ? 'Sending…' : 'Send missing and verify'}
        </button>
        <button type="button" className="btn" disabled={busy !== null} onClick={() => void run('compare')} title="Each study beside the archive's own listing (C-FIND or QIDO-RS)">
          {busy === 'compare' ? 'Comparing…' : 'Compare with the archive’s listing'}
        </button>
      </div>
      {busy === 'send' && progress && (
        <p role="status" data-testid="resend-progress">
          {progressText(progress)}
        </p>
      )}
      <ErrorText error={error} prefix="Cannot finish" />
      {sent && <SendResult s={sent} />}
      {compared && <CompareResult r={compared} />}
      <ContentCheck remoteId={remoteId} studiesOf={() => studiesOf(client, scope)} />
    </section>
  );
}

function SendResult({ s }: { s: ResendSummary }) {
  return (
    <div data-testid="resend-result">
      <p>
        {s.selected === 0
          ? 'Nothing to send: no instance failed with a reason that sending again fixes (0112H, 0110H).'
          : `${formatCount(s.committedAfterResend)} of ${formatCount(s.selected)} missing instance(s) committed after re-send; ${formatCount(s.leftCount)} still not committed.`}
      </p>
      <ul>
        {s.notResendable.map((n) => (
          <li key={n.why}>
            Not re-sent: {formatCount(n.count)} × {n.why}
          </li>
        ))}
        {s.rounds.map((r) => (
          <li key={r.round}>
            Round {r.round}: stored {formatCount(r.stored)} of {formatCount(r.selected)}
            {Object.entries(r.notStored).map(([k, n]) => `, ${n} ${k}`)}; {r.jobId === null ? 'nothing to ask' : `${formatCount(r.committed)} committed, ${formatCount(r.failed)} failed`}
          </li>
        ))}
        {s.left.slice(0, 50).map((l) => (
          <li key={l.sopInstanceUid}>
            Not committed: {l.filePath} — {l.why}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Names({ label, list }: { label: string; list: CrossCheckStudy['notListed'] }) {
  if (list.length === 0) return null;
  return (
    <details>
      <summary>
        {label}: {formatCount(list.length)}
      </summary>
      <ul>
        {list.slice(0, 200).map((i) => (
          <li key={i.sopInstanceUid}>
            {i.filePath} ({i.sopInstanceUid}) — {i.verdict ?? 'never asked'}
          </li>
        ))}
      </ul>
    </details>
  );
}

function CompareResult({ r }: { r: CrossCheckResult }) {
  const t = r.totals;
  return (
    <div data-testid="compare-result">
      <p>
        {r.via} at {r.source}: {formatCount(t.listed)} of {formatCount(t.local)} local instance(s) listed; {formatCount(t.committedNotListed)} committed but not listed,{' '}
        {formatCount(t.listedNotCommitted)} listed but not committed{t.errors ? `; ${t.errors} study(ies) could not be asked` : ''}.
      </p>
      <table className="table">
        <thead>
          <tr>
            <th>Study</th>
            <th>Local</th>
            <th>Listed</th>
            <th>Committed</th>
            <th>Not listed</th>
            <th>Disagreements</th>
          </tr>
        </thead>
        <tbody>
          {r.studies.map((s) => (
            <tr key={s.studyUid}>
              <td>{[s.patientId, s.accessionNumber, s.studyDate].filter(Boolean).join(' · ') || s.studyUid}</td>
              <td>{formatCount(s.local)}</td>
              <td>{s.error === null ? formatCount(s.listed) : '—'}</td>
              <td>{formatCount(s.committed)}</td>
              <td>{s.error === null ? formatCount(s.notListed.length) : '—'}</td>
              <td>
                {s.error !== null ? (
                  <span className="tone-bad">Not checked: {s.error}</span>
                ) : (
                  <>
                    <Names label="Not listed" list={s.notListed} />
                    <Names label="Committed but not listed" list={s.committedNotListed} />
                    <Names label="Listed but not committed" list={s.listedNotCommitted} />
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
