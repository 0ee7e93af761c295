import { problemReasonText } from '../../../../src-shared/library';
import type { ProblemFile } from '../../../../src-shared/contract/handlers';
import { EmptyState } from '../../ui/EmptyState';
import { formatBytes } from '../../ui/format';
import { PagedList } from '../../ui/PagedList';
import { StatusBadge } from '../../ui/StatusBadge';
import type { StatusLook } from '../../ui/status';
import type { Column } from '../../ui/VirtualTable';

/** Not indexed: skipped, conflict (a different file under an indexed UID), duplicate copy (identical). Flagged: indexed, with a warning. */
export const PROBLEM_LOOK: Record<ProblemFile['status'], StatusLook> = {
  skipped: { tone: 'warn', icon: '⚠', text: 'Skipped' },
  conflict: { tone: 'bad', icon: '⇄', text: 'Conflict' },
  duplicate: { tone: 'muted', icon: '⧉', text: 'Duplicate copy' },
  flagged: { tone: 'warn', icon: '⚑', text: 'Indexed, flagged' },
};

const COLUMNS: Column<ProblemFile>[] = [
  { key: 'path', header: 'File', width: 'minmax(200px, 3fr)', render: (p) => <span className="mono" title={p.path}>{p.path}</span> },
  { key: 'status', header: 'Status', width: '150px', render: (p) => <StatusBadge look={PROBLEM_LOOK[p.status] ?? PROBLEM_LOOK.skipped} /> },
  { key: 'reason', header: 'Reason', width: 'minmax(140px, 1fr)', render: (p) => problemReasonText(p.reason) },
  { key: 'message', header: 'Details', width: 'minmax(160px, 2fr)', render: (p) => <span title={p.message}>{p.message}</span> },
  { key: 'size', header: 'Size', width: '80px', align: 'end', render: (p) => formatBytes(p.size) },
];

/** Files of the library folders that are not instances of the index, and indexed files with a flag, and why. */
export function ProblemFiles() {
  return (
    <PagedList
      handler="library-problems"
      args={{}}
      kind="plain"
      label="Problem files"
      testId="library-problems"
      tableClassName="short-table"
      columns={COLUMNS}
      errorPrefix="Cannot load the problem files"
      empty={<EmptyState title="No problem file" />}
    />
  );
}
