import type { ReportScope, ReportStudyRow } from '../../../../src-shared/report';
import { EmptyState } from '../../ui/EmptyState';
import { formatCount, formatDicomDate } from '../../ui/format';
import { PagedList } from '../../ui/PagedList';
import { ProgressBar } from '../../ui/ProgressBar';
import { TABLE_KINDS } from '../../ui/table-kinds';
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

const { rowHeight } = TABLE_KINDS.dense;

/** Every study of the report, a page at a time (thousands of studies scroll smoothly). */
export function StudyTable({ scope }: { scope: ReportScope }) {
  return (
    <PagedList
      handler="report-studies"
      args={scope}
      kind="dense"
      // As tall as its rows (header included), up to about 11 of them; then it scrolls.
      className="report-studies"
      height={(total) => Math.min(360, 2 + rowHeight * (1 + Math.max(5, total)))}
      label="Studies"
      testId="report-studies"
      columns={COLUMNS}
      errorPrefix="Cannot load the studies"
      empty={<EmptyState title="No study in this report" />}
    />
  );
}
