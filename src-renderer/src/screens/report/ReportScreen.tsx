import { useAppApi } from '../../api/context';
import { useApiQuery } from '../../data/api-hooks';
import { useNavigation, type ReportTarget } from '../../state/navigation';
import { useToasts } from '../../state/toasts';
import { downloadText } from '../../ui/download';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorText } from '../../ui/ErrorText';
import { formatCount, formatTime, percent } from '../../ui/format';
import { hex4 } from '../../../../src-shared/dicom/failure-reasons';

function argsOf(t: ReportTarget) {
  return t.kind === 'job' ? { jobId: t.jobId } : t.kind === 'requests' ? { requestIds: t.requestIds } : {};
}

function titleOf(t: ReportTarget): string {
  if (t.kind === 'job') return `Job #${t.jobId}`;
  if (t.kind === 'requests') return t.requestIds.length === 1 ? `Request #${t.requestIds[0]}` : `Requests ${t.requestIds.map((i) => `#${i}`).join(', ')}`;
  return 'All outgoing requests';
}

/** A printable verification report (totals, failure reasons, failed instances), with Print and CSV. */
export function ReportScreen() {
  const target = useNavigation((s) => s.route.report ?? { kind: 'all' as const });
  const { client, preload } = useAppApi();
  const toast = useToasts((s) => s.show);
  const args = argsOf(target);
  const { data, error, isPending } = useApiQuery('report-summary', args);
  const name = `safekeep-report-${titleOf(target).replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '').toLowerCase()}`;

  const print = async () => {
    if (preload) {
      const saved = await preload.printToPdf(`${name}.pdf`);
      if (saved) toast('ok', `Saved ${saved}`);
    } else window.print();
  };
  const csv = async () => {
    const r = await client.send('report-csv', args);
    if (!r.ok) return toast('error', `Export failed: ${r.error.message}`);
    downloadText(r.value.filename, r.value.csv);
  };

  return (
    <div className="screen report-screen">
      <div className="toolbar no-print">
        <button type="button" className="btn btn-primary" onClick={print} disabled={!data}>
          {preload ? 'Save as PDF…' : 'Print…'}
        </button>
        <button type="button" className="btn" onClick={csv}>
          Download CSV
        </button>
      </div>
      <ErrorText error={error} prefix="Cannot build the report" />
      {isPending && <p aria-busy="true">Building the report…</p>}
      {data && (
        <article className="report" aria-label="Verification report">
          <header>
            <h1>Storage commitment report — {titleOf(target)}</h1>
            <p>
              Generated {formatTime(data.generatedAt)} by Safekeep · {formatCount(data.requests)} request{data.requests === 1 ? '' : 's'} to{' '}
              {data.remotes.join(', ') || '—'}
            </p>
          </header>
          {data.totals.instances === 0 ? (
            <EmptyState title="No instance in this report" />
          ) : (
            <>
              <h2>Totals</h2>
              <table className="table report-totals">
                <tbody>
                  <tr>
                    <th scope="row">Instances</th>
                    <td>{formatCount(data.totals.instances)}</td>
                    <td />
                  </tr>
                  <tr className="tone-ok">
                    <th scope="row">
                      <span aria-hidden="true">✓ </span>Committed
                    </th>
                    <td>{formatCount(data.totals.committed)}</td>
                    <td>{percent(data.totals.committed, data.totals.instances).toFixed(1)} %</td>
                  </tr>
                  <tr className="tone-bad">
                    <th scope="row">
                      <span aria-hidden="true">✕ </span>Failed
                    </th>
                    <td>{formatCount(data.totals.failed)}</td>
                    <td>{percent(data.totals.failed, data.totals.instances).toFixed(1)} %</td>
                  </tr>
                  <tr className="tone-pending">
                    <th scope="row">
                      <span aria-hidden="true">◷ </span>Not verified
                    </th>
                    <td>{formatCount(data.totals.notVerified)}</td>
                    <td>{percent(data.totals.notVerified, data.totals.instances).toFixed(1)} %</td>
                  </tr>
                </tbody>
              </table>
              <p className="report-verdict">
                {data.totals.committed === data.totals.instances ? (
                  <strong className="text-ok">✓ Every instance is committed: the archive safely keeps all of them.</strong>
                ) : (
                  <strong className="text-bad">
                    ✕ {formatCount(data.totals.instances - data.totals.committed)} instance(s) are not confirmed: do not delete their local copies.
                  </strong>
                )}
              </p>
              {data.failureReasons.length > 0 && (
                <>
                  <h2>Failure reasons</h2>
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">Code</th>
                        <th scope="col">Meaning</th>
                        <th scope="col">Instances</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.failureReasons.map((r) => (
                        <tr key={`${r.code}|${r.meaning}`}>
                          <td className="mono">{r.code === null ? '—' : hex4(r.code)}</td>
                          <td>{r.meaning}</td>
                          <td>{formatCount(r.count)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
              {data.failed.length > 0 && (
                <>
                  <h2>
                    Failed instances
                    {data.failed.length < data.totals.failed && ` (first ${formatCount(data.failed.length)} of ${formatCount(data.totals.failed)}; the CSV has all)`}
                  </h2>
                  <table className="table report-failed">
                    <thead>
                      <tr>
                        <th scope="col">SOP Instance UID</th>
                        <th scope="col">Reason</th>
                        <th scope="col">File</th>
                        <th scope="col">Study Instance UID</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.failed.map((f) => (
                        <tr key={`${f.transactionUid}|${f.sopInstanceUid}`}>
                          <td className="mono">{f.sopInstanceUid}</td>
                          <td className="text-bad">{f.reason}</td>
                          <td className="mono">{f.filePath ?? ''}</td>
                          <td className="mono">{f.studyUid ?? ''}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
            </>
          )}
        </article>
      )}
    </div>
  );
}
