import { AppError } from '../../../src-shared/contract/errors';
import { describeFailureReason, failureReasonMeaning } from '../../../src-shared/dicom/failure-reasons';
import { viewOf, type ArchiveRef, type ReportScope, type ReportSummary, type ReportTimeline } from '../../../src-shared/report';
import type { Clock } from '../scheduler';
import { remoteAddress } from '../remotes/address';
import type { RemotesStore, ReportStore } from '../store/ports';

export interface ReportDeps {
  reports: ReportStore;
  remotes: RemotesStore;
  clock: Clock;
  /** The OS user running Safekeep and Safekeep's version, for the sign-off. */
  about: { operator: string; version: string };
}

const FAILED_LISTED = 10_000;

/** Every archive: the remotes set up now, and those with verdicts (also when deleted since). */
export async function archiveRefs(deps: Pick<ReportDeps, 'reports' | 'remotes'>): Promise<ArchiveRef[]> {
  const withVerdicts = new Map((await deps.reports.archives()).map((a) => [a.remoteId, a]));
  const refs: ArchiveRef[] = (await deps.remotes.list()).map((r) => ({
    remoteId: r.id,
    name: r.name,
    kind: r.kind,
    address: remoteAddress(r),
    verdicts: withVerdicts.get(r.id)?.verdicts ?? 0,
  }));
  for (const a of withVerdicts.values()) {
    if (!refs.some((r) => r.remoteId === a.remoteId)) refs.push({ remoteId: a.remoteId, name: a.name, kind: null, address: null, verdicts: a.verdicts });
  }
  return refs;
}

/** Checks that the scope names things that exist, and that a job and an archive given together agree. */
export async function checkScope(deps: Pick<ReportDeps, 'reports' | 'remotes'>, scope: ReportScope): Promise<void> {
  if (scope.jobId !== undefined) {
    const job = await deps.reports.job(scope.jobId);
    if (!job) throw new AppError('not-found', `No job ${scope.jobId}`);
    if (scope.remoteId !== undefined && scope.remoteId !== job.remoteId) {
      throw new AppError('bad-request', `Job ${scope.jobId} went to another archive (remote ${job.remoteId}), not remote ${scope.remoteId}`);
    }
  } else if (scope.remoteId !== undefined && !scope.requestIds && !(await archiveRefs(deps)).some((a) => a.remoteId === scope.remoteId)) {
    throw new AppError('not-found', `No remote archive ${scope.remoteId}`);
  }
}

/** "safekeep-report-job-4-2026-01-01-14-03-09": what the report is about, and when it was made. */
export async function reportName(deps: Pick<ReportDeps, 'reports' | 'remotes'>, scope: ReportScope, now: number): Promise<string> {
  const stamp = new Date(now).toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const ids = scope.requestIds ?? [];
  const about =
    scope.jobId !== undefined
      ? `job-${scope.jobId}`
      : ids.length > 0
        ? `request-${ids.slice(0, 3).join('-')}${ids.length > 3 ? '-etc' : ''}`
        : scope.remoteId !== undefined
          ? ((await archiveRefs(deps)).find((a) => a.remoteId === scope.remoteId)?.name ?? `remote-${scope.remoteId}`)
          : 'all-archives';
  return `safekeep-report-${about.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase()}-${stamp}`;
}

/** Totals that add up (committed + failed + pending = instances), per-archive never-asked, reasons and failures. */
export async function reportSummary(deps: ReportDeps, scope: ReportScope): Promise<ReportSummary> {
  await checkScope(deps, scope);
  const { reports } = deps;
  const view = viewOf(scope);
  const ids = new Set(await reports.remoteIdsOf(scope));
  const job = scope.jobId !== undefined ? (await reports.job(scope.jobId))! : null;
  const totals = await reports.totals(scope);
  return {
    generatedAt: deps.clock.now(),
    view,
    archives: (await archiveRefs(deps)).filter((a) => ids.has(a.remoteId)),
    job: job && { id: job.id, label: job.label, createdAt: job.createdAt },
    requests: await reports.requestCount(scope),
    studies: await reports.studyCount(scope),
    totals: { ...totals, neverAsked: view === 'archive' ? await reports.neverAsked(scope.remoteId!) : null },
    failureReasons: (await reports.failureGroups(scope)).map((g) => ({
      code: g.code,
      meaning: g.code !== null ? failureReasonMeaning(g.code) : (g.text ?? 'Failed (no reason recorded)'),
      count: g.count,
    })),
    failed: (await reports.failedRows(scope, FAILED_LISTED)).map((f) => ({
      studyUid: f.studyUid || null,
      sopInstanceUid: f.sopInstanceUid,
      filePath: f.filePath,
      transactionUid: f.transactionUid,
      reason: f.code !== null ? describeFailureReason(f.code) : (f.detail ?? 'Failed'),
    })),
    operator: deps.about.operator,
    version: deps.about.version,
  };
}

/**
 * A job's committed / failed / pending over time, from when each instance's latest outcome was
 * decided, in about `buckets` equal steps from the job's start to now (while it runs) or its last decision.
 */
export async function reportTimeline(deps: ReportDeps, jobId: number, buckets: number): Promise<ReportTimeline> {
  const job = await deps.reports.job(jobId);
  if (!job) throw new AppError('not-found', `No job ${jobId}`);
  const running = await deps.reports.jobRunning(jobId);
  const total = (await deps.reports.totals({ jobId })).instances;
  const end = running ? deps.clock.now() : ((await deps.reports.lastDecidedAt(jobId)) ?? job.createdAt);
  const bucketMs = Math.max(1000, Math.ceil((end - job.createdAt) / buckets));
  const rows = await deps.reports.decisions(jobId, job.createdAt, bucketMs);
  const count = Math.max(1, Math.ceil((end - job.createdAt) / bucketMs));
  const points = [{ at: job.createdAt, committed: 0, failed: 0, pending: total }];
  let committed = 0;
  let failed = 0;
  let k = 0;
  for (let b = 0; b < count; b++) {
    // The last point takes every decision left (one made at `end` exactly falls in the next bucket).
    for (; k < rows.length && (rows[k]!.bucket <= b || b === count - 1); k++) {
      if (rows[k]!.outcome === 'committed') committed += rows[k]!.n;
      else failed += rows[k]!.n;
    }
    points.push({ at: job.createdAt + (b + 1) * bucketMs, committed, failed, pending: total - committed - failed });
  }
  return { jobId, startedAt: job.createdAt, bucketMs, running, points };
}
