import type { ArchiveRef, ReportScope } from '../../../../src-shared/report';
import type { ReportTarget } from '../../state/navigation';

/** The report's scope: a job, requests, or one archive's verdicts ("all" opens the first archive with any). */
export function scopeOf(t: ReportTarget, archives: readonly ArchiveRef[] | undefined): ReportScope | null {
  if (t.kind === 'job') return { jobId: t.jobId };
  if (t.kind === 'requests') return { requestIds: t.requestIds };
  if (t.kind === 'archive') return { remoteId: t.remoteId };
  const first = archives?.find((a) => a.verdicts > 0) ?? archives?.[0];
  return first ? { remoteId: first.remoteId } : null;
}

/** "Archive PACS (PACS@pacs:104)", for pickers and the sign-off. */
export function archiveText(a: ArchiveRef): string {
  return `${a.name} (${a.address ?? 'deleted'})`;
}

export function titleOf(scope: ReportScope, archives: readonly ArchiveRef[], jobLabel: string | null): string {
  if (scope.jobId !== undefined) return `Job #${scope.jobId}${jobLabel ? ` — ${jobLabel}` : ''}`;
  if (scope.requestIds) return scope.requestIds.length === 1 ? `Request #${scope.requestIds[0]}` : `Requests ${scope.requestIds.map((i) => `#${i}`).join(', ')}`;
  const a = archives.find((x) => x.remoteId === scope.remoteId);
  return a ? `every instance verified with ${a.name}` : 'every archive';
}

/** The picker's value for a scope, and the target a value stands for. */
export function pickValue(scope: ReportScope): string {
  return scope.jobId !== undefined ? `job:${scope.jobId}` : scope.requestIds ? 'requests' : `archive:${scope.remoteId}`;
}

export function targetOfPick(value: string, current: ReportTarget): ReportTarget {
  const [kind, id] = value.split(':');
  if (kind === 'job') return { kind: 'job', jobId: Number(id) };
  if (kind === 'archive') return { kind: 'archive', remoteId: Number(id) };
  return current;
}
