import { useState } from 'react';
import { LEFT_OUT_REASONS, type ArchiveRef, type LeftOutReason, type ReportScope, type ReportSummary } from '../../../../src-shared/report';
import { useAppApi } from '../../api/context';
import { useApiQuery } from '../../data/api-hooks';
import { useNavigation, type ReportTarget } from '../../state/navigation';
import { useToasts } from '../../state/toasts';
import { downloadText } from '../../ui/download';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorText } from '../../ui/ErrorText';
import { formatCount, formatTime } from '../../ui/format';
import { FailureTables } from './FailureTables';
import { MigrationPanel } from './MigrationPanel';
import { pickValue, archiveText, scopeOf, targetOfPick, titleOf } from './report-target';
import { ReportTotals } from './ReportTotals';
import { SignOff, type ExportedCsv } from './SignOff';
import { StudyChart } from './StudyChart';
import { StudyTable } from './StudyTable';

/** The verification report: per archive (its verdicts), per job, or per request; with exports and a sign-off page. */
export function ReportScreen() {
  const target = useNavigation((s) => s.route.report ?? { kind: 'all' as const });
  const archives = useApiQuery('report-archives', {});
  const scope = scopeOf(target, archives.data);
  if (archives.error) return <ErrorText error={archives.error} prefix="Cannot list the archives" />;
  if (!scope) {
    return archives.data ? (
      <EmptyState title="Nothing verified yet">Select studies in the Library and press “Verify selected”; the report shows each archive’s verdicts.</EmptyState>
    ) : (
      <p aria-busy="true">Loading…</p>
    );
  }
  return <ReportView key={JSON.stringify(scope)} target={target} scope={scope} archives={archives.data ?? []} />;
}

function ReportView({ target, scope, archives }: { target: ReportTarget; scope: ReportScope; archives: ArchiveRef[] }) {
  const { client, preload } = useAppApi();
  const go = useNavigation((s) => s.go);
  const toast = useToasts((s) => s.show);
  const { data, error, isPending } = useApiQuery('report-summary', scope);
  const [exported, setExported] = useState<ExportedCsv | null>(null);
  const [leftOut, setLeftOut] = useState<string | null>(null);
  const title = titleOf(scope, archives, data?.job?.label ?? null);
  const deleteArchive = scope.remoteId ?? (data?.archives.length === 1 ? data.archives[0]!.remoteId : undefined);

  const print = async () => {
    const name = `safekeep-report-${title.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase()}`;
    if (preload) {
      const saved = await preload.printToPdf(`${name}.pdf`);
      if (saved) toast('ok', `Saved ${saved}`);
    } else window.print();
  };
  const csv = async () => {
    const r = await client.send('report-csv', scope);
    if (!r.ok) return toast('error', `Export failed: ${r.error.message}`);
    downloadText(r.value.filename, r.value.csv);
    setExported({ filename: r.value.filename, sha256: r.value.sha256, rows: r.value.rows, at: Date.now() });
  };
  const safeList = async () => {
    if (deleteArchive === undefined) return;
    const r = await client.send('report-safe-to-delete', { remoteId: deleteArchive });
    if (!r.ok) return toast('error', `Export failed: ${r.error.message}`);
    downloadText(r.value.filename, r.value.text, 'text/plain;charset=utf-8');
    const why = (Object.entries(r.value.leftOut) as [LeftOutReason, number][]).filter(([, n]) => n > 0).map(([k, n]) => `${formatCount(n)} ${LEFT_OUT_REASONS[k]}`);
    setLeftOut(`Safe to delete: ${formatCount(r.value.files)} file(s) committed by ${archiveText(r.value.archive)} and unchanged since verified.${why.length ? ` Left out: ${why.join('; ')}.` : ''}`);
  };

  return (
    <div className="screen report-screen">
      <div className="toolbar no-print">
        <label className="inline-field">
          Report on
          <select value={pickValue(scope)} onChange={(e) => go({ screen: 'report', report: targetOfPick(e.target.value, target) })}>
            {scope.jobId !== undefined && <option value={pickValue(scope)}>{title}</option>}
            {scope.requestIds && <option value="requests">{title}</option>}
            {archives.map((a) => (
              <option key={a.remoteId} value={`archive:${a.remoteId}`}>
                All verdicts: {archiveText(a)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn" onClick={csv}>
          Download CSV
        </button>
        <button type="button" className="btn" onClick={safeList} disabled={deleteArchive === undefined} title="Files the archive committed and that are unchanged since, one path per line">
          Safe-to-delete list
        </button>
        <button type="button" className="btn btn-primary" onClick={print} disabled={!data}>
          {preload ? 'Save as PDF…' : 'Print…'}
        </button>
      </div>
      {leftOut && (
        <p className="callout no-print" role="status" data-testid="safe-to-delete-result">
          {leftOut}
        </p>
      )}
      <ErrorText error={error} prefix="Cannot build the report" />
      {isPending && <p aria-busy="true">Building the report…</p>}
      {data && data.archives.length === 1 && data.totals.instances > 0 && <MigrationPanel remoteId={data.archives[0]!.remoteId} scope={scope} />}
      {data && <Report data={data} scope={scope} title={title} exported={exported} />}
    </div>
  );
}

function Report({ data, scope, title, exported }: { data: ReportSummary; scope: ReportScope; title: string; exported: ExportedCsv | null }) {
  const archives = data.archives.map(archiveText).join(', ') || '—';
  return (
    <article className="report" aria-label="Verification report">
      <header>
        <h1>Storage commitment report — {title}</h1>
        <p>
          Generated {formatTime(data.generatedAt)} by Safekeep {data.version} · {archives} ·{' '}
          {data.view === 'archive' || data.view === 'all-archives'
            ? 'the latest outcome of each instance, over every job'
            : `${formatCount(data.requests)} request${data.requests === 1 ? '' : 's'}${data.view === 'job' ? ', the latest outcome of each instance' : ', as sent'}`}
        </p>
      </header>
      {data.totals.instances === 0 ? (
        <EmptyState title="No instance in this report" />
      ) : (
        <>
          <h2>Totals</h2>
          <ReportTotals totals={data.totals} />
          <h2>Per study ({formatCount(data.studies)})</h2>
          <div className="no-print">
            <StudyChart scope={scope} />
            <StudyTable scope={scope} />
          </div>
          <p className="print-only">Every instance of every study is in the CSV; its SHA-256 is on the sign-off below.</p>
          <FailureTables data={data} />
        </>
      )}
      <SignOff data={data} exported={exported} />
    </article>
  );
}
