import type { ReportTotals as Totals } from '../../../../src-shared/report';
import { formatCount, percent } from '../../ui/format';

function Row({ label, icon, n, of, tone, testId }: { label: string; icon?: string; n: number; of: number; tone?: string; testId: string }) {
  return (
    <tr className={tone ? `tone-${tone}` : undefined}>
      <th scope="row">
        {icon && <span aria-hidden="true">{icon} </span>}
        {label}
      </th>
      <td data-testid={testId}>{formatCount(n)}</td>
      <td>{of > 0 ? `${percent(n, of).toFixed(1)} %` : ''}</td>
    </tr>
  );
}

/** Instances = committed + failed + pending; "never asked" is the library's instances outside the report. */
export function ReportTotals({ totals: t }: { totals: Totals }) {
  const notConfirmed = t.instances - t.committed;
  return (
    <>
      <table className="table report-totals" aria-label="Totals">
        <tbody>
          <Row label="Instances" n={t.instances} of={0} testId="report-instances" />
          <Row label="Committed" icon="✓" n={t.committed} of={t.instances} tone="ok" testId="report-committed" />
          <Row label="Failed" icon="✕" n={t.failed} of={t.instances} tone="bad" testId="report-failed" />
          <Row label="Pending" icon="◷" n={t.pending} of={t.instances} tone="pending" testId="report-pending" />
          {t.neverAsked !== null && <Row label="Never asked (in the library, no verdict here)" icon="–" n={t.neverAsked} of={0} testId="report-never-asked" />}
        </tbody>
      </table>
      <p className="report-verdict">
        {t.instances > 0 && notConfirmed === 0 ? (
          <strong className="text-ok">✓ Every instance is committed: the archive safely keeps all of them.</strong>
        ) : (
          <strong className="text-bad">✕ {formatCount(notConfirmed)} instance(s) are not confirmed: do not delete their local copies.</strong>
        )}
        {t.neverAsked ? <span className="muted"> {formatCount(t.neverAsked)} library instance(s) were never asked of this archive.</span> : null}
      </p>
    </>
  );
}
