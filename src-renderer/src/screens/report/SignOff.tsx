import type { ReportSummary } from '../../../../src-shared/report';
import { formatCount, formatTime } from '../../ui/format';
import { archiveText } from './report-target';

export interface ExportedCsv {
  filename: string;
  sha256: string;
  rows: number;
  at: number;
}

function Fact({ term, children, testId }: { term: string; children: React.ReactNode; testId?: string }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

/**
 * The page a migration lead signs: what was verified, with which archive, by whom, with which
 * Safekeep, when, and the SHA-256 of the CSV exported from this report (which names every instance).
 */
export function SignOff({ data, exported }: { data: ReportSummary; exported: ExportedCsv | null }) {
  return (
    <section className="signoff" aria-label="Sign-off">
      <h2>Sign-off</h2>
      <dl className="signoff-facts">
        <Fact term="Job" testId="signoff-job">
          {data.job ? `#${data.job.id} — ${data.job.label}` : data.view === 'requests' ? 'the requests above' : 'every job (the latest outcome per instance)'}
        </Fact>
        <Fact term="Archive" testId="signoff-archive">
          {data.archives.length ? data.archives.map(archiveText).join('; ') : '—'}
        </Fact>
        <Fact term="Instances" testId="signoff-instances">
          {formatCount(data.totals.instances)}: {formatCount(data.totals.committed)} committed, {formatCount(data.totals.failed)} failed, {formatCount(data.totals.pending)} pending
        </Fact>
        <Fact term="Operator" testId="signoff-operator">
          {data.operator}
        </Fact>
        <Fact term="Safekeep version" testId="signoff-version">
          {data.version}
        </Fact>
        <Fact term="Time" testId="signoff-time">
          {formatTime(data.generatedAt)}
        </Fact>
        <Fact term="CSV SHA-256" testId="signoff-sha256">
          {exported ? <span className="mono selectable">{exported.sha256}</span> : 'Download the CSV: its SHA-256 is shown here'}
        </Fact>
        {exported && (
          <Fact term="CSV file">
            {exported.filename} ({formatCount(exported.rows)} rows, exported {formatTime(exported.at)})
          </Fact>
        )}
      </dl>
      <div className="signoff-lines" aria-hidden="true">
        <span>Name</span>
        <span>Signature</span>
        <span>Date</span>
      </div>
    </section>
  );
}
