import type { ReportScope, ReportStudyRow } from '../../../../src-shared/report';
import { usePagedRows } from '../../data/paged-rows';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorText } from '../../ui/ErrorText';
import { formatCount, formatDicomDate } from '../../ui/format';
import { ProgressBar } from '../../ui/ProgressBar';
import { PagedTable } from '../../ui/PagedTable';
import type { Column } from '../../ui/VirtualTable';

const count = (n: number, tone?: string) => (tone && n > 0 ? <strong className={`text-${tone}`}>{formatCount(n)}</strong> : formatCount(n));

const COLUMNS: Column<ReportStudyRow>[] = [
  { key: 'pid', header: 'Patient ID', width: 'minmax(90px, 1fr)', render: (s) => <span title={s.patientId ?? ''}>{s.patientId ?? ''}</span> },
  { key: 'acc', header: 'Accession', width: 'minmax(90px, 1fr)', render: (s) => s.accessionNumber ?? '' },
  { key: 'date', header: 'Study date', width: '100px', render: (s) => formatDicomDate(s.studyDate) },
  { key: 'n', header: 'Instances', width: '86px', align: 'end', render: (s) => formatCount(s.instances) },
  { key: 'ok', header: 'Committed', width: '96px', align: 'end', render: (s) => formatCount(s.committed) },
  { key: 'bad', header: 'Failed', width: '70px', align: 'end', render: (s) => count(s.failed, 'bad') },
  { key: 'wait', header: 'Pending', width: '76px', align: 'end', render: (s) => formatCount(s.pending) },
  { key: 'bar', header: 'Progress', width: '120px', render: (s) => <ProgressBar total={s.instances} committed={s.committed} failed={s.failed} label={`Study ${s.studyUid}`} /> },
  { key: 'uid', header: 'Study Instance UID', width: 'minmax(140px, 2fr)', render: (s) => <span className="mono" title={s.studyUid}>{s.studyUid}</span> },
];

/** Every study of the report, a page at a time (thousands of studies scroll smoothly). */
export function StudyTable({ scope }: { scope: ReportScope }) {
  const rows = usePagedRows('report-studies', scope, { pageSize: 200 });
  return (
    // As tall as its rows (header included), up to about 11 of them; then it scrolls.
    <div className="report-studies" style={{ height: Math.min(360, 32 + 30 * Math.max(5, rows.total)) }}>
      <ErrorText error={rows.error} prefix="Cannot load the studies" />
      <PagedTable rows={rows} label="Studies" testId="report-studies" columns={COLUMNS} rowHeight={30} empty={<EmptyState title={rows.isLoading ? 'Loading…' : 'No study in this report'} />} />
    </div>
  );
}
