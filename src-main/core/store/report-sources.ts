import type { ReportScope } from '../../../src-shared/report';

/**
 * The instance rows a report reads, as SQL: each source selects the same columns, so that totals,
 * per-study rows, failure reasons and the CSV are one query shape over any of them.
 */
export interface Source {
  sql: string;
  args: unknown[];
  /**
   * How the CSV reads it in batches: after the last key (these columns order the rows uniquely, by an
   * index), or request by request (the ids `perRequest` selects; `sql` + " AND r.id = ?", in seq order).
   */
  batches: { keys: readonly string[] } | { perRequest: { sql: string; args: unknown[] } };
}

const DECIDED = `CASE WHEN i.outcome = 'pending' THEN NULL ELSE COALESCE(i.updated_at, r.completed_at, r.created_at) END`;

/** The columns of an outgoing_instances row (i) of request r, as every source names them. */
export const HISTORY_COLUMNS = `r.remote_id, i.sop_instance_uid, i.sop_class_uid, COALESCE(i.study_uid, '') AS study_uid,
  COALESCE(i.series_uid, '') AS series_uid, i.file_path, i.file_size, i.file_mtime_ms, i.patient_id, i.accession_number,
  i.study_date, i.outcome, i.failure_reason, i.detail, ${DECIDED} AS decided_at, r.transaction_uid, i.request_id, i.seq`;

const VERDICT_COLUMNS = `remote_id, sop_instance_uid, sop_class_uid, study_uid, series_uid, file_path, file_size, file_mtime_ms,
  patient_id, accession_number, study_date, outcome, failure_reason, detail, decided_at, transaction_uid, request_id, seq`;

/** When an instance row was last changed (rows from before the verdicts had no time until decided). */
const AT = (row: string, req: string) => `COALESCE(${row}.updated_at, ${req}.created_at)`;

/** The verdicts of one archive, in study order (the verdicts_report index). */
export function verdictSource(remoteId: number): Source {
  return {
    sql: `SELECT ${VERDICT_COLUMNS} FROM verdicts WHERE remote_id = ?`,
    args: [remoteId],
    batches: { keys: ['study_uid', 'series_uid', 'sop_instance_uid'] },
  };
}

/** The verdicts of every archive, archive by archive in study order (the same index). */
export function allVerdictsSource(): Source {
  return { sql: `SELECT ${VERDICT_COLUMNS} FROM verdicts`, args: [], batches: { keys: ['remote_id', 'study_uid', 'series_uid', 'sop_instance_uid'] } };
}

/**
 * The latest row of each instance within a job: a row for which no row of the same job and instance
 * is newer (by time, then by request: a follow-up comes after the request it resends). A job without
 * follow-ups holds each instance once: all its rows, without asking (7 to 15 times faster).
 */
export function jobSource(jobId: number, hasFollowUps: boolean): Source {
  const latest = `AND NOT EXISTS (
        SELECT 1 FROM outgoing_instances j JOIN outgoing rj ON rj.id = j.request_id
        WHERE j.sop_instance_uid = i.sop_instance_uid AND rj.job_id = r.job_id
          AND (${AT('j', 'rj')}, j.request_id) > (${AT('i', 'r')}, i.request_id))`;
  return {
    sql: `SELECT ${HISTORY_COLUMNS} FROM outgoing r JOIN outgoing_instances i ON i.request_id = r.id
      WHERE r.job_id = ? ${hasFollowUps ? latest : ''}`,
    args: [jobId],
    batches: { perRequest: { sql: `SELECT id FROM outgoing WHERE job_id = ? ORDER BY id`, args: [jobId] } },
  };
}

/** Every instance row of the given requests, as sent (history; an instance resent appears once per request). */
export function requestsSource(requestIds: readonly number[]): Source {
  return {
    sql: `SELECT ${HISTORY_COLUMNS} FROM outgoing r JOIN outgoing_instances i ON i.request_id = r.id
      WHERE r.id IN (SELECT value FROM json_each(?))`,
    args: [JSON.stringify(requestIds)],
    batches: { perRequest: { sql: `SELECT DISTINCT value AS id FROM json_each(?) ORDER BY id`, args: [JSON.stringify(requestIds)] } },
  };
}

export function sourceOf(scope: ReportScope, jobHasFollowUps = true): Source {
  if (scope.requestIds) return requestsSource(scope.requestIds);
  if (scope.jobId !== undefined) return jobSource(scope.jobId, jobHasFollowUps);
  if (scope.remoteId !== undefined) return verdictSource(scope.remoteId);
  return allVerdictsSource();
}
