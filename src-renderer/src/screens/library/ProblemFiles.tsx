import { SKIP_REASON_TEXT, type SkipReason } from '../../../../src-shared/library';
import type { ProblemFile } from '../../../../src-shared/contract/handlers';
import { usePagedRows } from '../../data/paged-rows';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorText } from '../../ui/ErrorText';
import { formatBytes } from '../../ui/format';
import { StatusBadge } from '../../ui/StatusBadge';
import { VirtualTable, type Column } from '../../ui/VirtualTable';

const COLUMNS: Column<ProblemFile>[] = [
  { key: 'path', header: 'File', width: 'minmax(200px, 3fr)', render: (p) => <span className="mono" title={p.path}>{p.path}</span> },
  {
    key: 'status',
    header: 'Status',
    width: '110px',
    render: (p) =>
      p.status === 'conflict' ? <StatusBadge look={{ tone: 'bad', icon: '⇄', text: 'Conflict' }} /> : <StatusBadge look={{ tone: 'warn', icon: '⚠', text: 'Skipped' }} />,
  },
  { key: 'reason', header: 'Reason', width: 'minmax(140px, 1fr)', render: (p) => SKIP_REASON_TEXT[p.reason as SkipReason] ?? p.reason },
  { key: 'message', header: 'Details', width: 'minmax(160px, 2fr)', render: (p) => <span title={p.message}>{p.message}</span> },
  { key: 'size', header: 'Size', width: '80px', align: 'end', render: (p) => formatBytes(p.size) },
];

/** Files of the library folders that are not instances of the index, and why. */
export function ProblemFiles() {
  const rows = usePagedRows('library-problems', {}, { pageSize: 200 });
  return (
    <>
      <ErrorText error={rows.error} prefix="Cannot load the skipped files" />
      <VirtualTable
        label="Skipped files"
        testId="library-problems"
        className="short-table"
        columns={COLUMNS}
        count={rows.total}
        rowAt={rows.rowAt}
        onRangeChange={rows.setVisibleRange}
        empty={<EmptyState title={rows.isLoading ? 'Loading…' : 'No skipped file'} />}
      />
    </>
  );
}
