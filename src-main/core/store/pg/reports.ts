import type { InstanceVerdict, ReportScope, ReportStudyRow } from '../../../../src-shared/report';
import type { ReportStore } from '../ports';
import { KEY_FIELDS, ROW_COLUMNS, VERIFIED_FILE_COLUMNS } from '../report-repo';
import { HISTORY_COLUMNS, sourceOf, verdictSource, type Source } from '../report-sources';
import type { JobRef, ReportRow, VerifiedFile } from '../../report/model/rows';
import type { PgDb } from './db';

type FailedRow = { studyUid: string; sopInstanceUid: string; filePath: string | null; transactionUid: string; code: number | null; detail: string | null };

/** The instance rows of a report scope: SQLite's sources (report-sources.ts), the requests' rows as an array parameter. */
function pgSourceOf(scope: ReportScope, jobHasFollowUps: boolean): Source {
  if (!scope.requestIds) return sourceOf(scope, jobHasFollowUps);
  const ids = [...scope.requestIds];
  return {
    sql: `SELECT ${HISTORY_COLUMNS} FROM outgoing r JOIN outgoing_instances i ON i.request_id = r.id WHERE r.id = ANY(?::bigint[])`,
    args: [ids],
    batches: { perRequest: { sql: `SELECT DISTINCT id FROM unnest(?::bigint[]) AS u(id) ORDER BY id`, args: [ids] } },
  };
}

const COUNT = (outcome: string) => `COUNT(*) FILTER (WHERE outcome = '${outcome}')`;

/**
 * Reads for reports in PostgreSQL: verdicts per archive, a job's latest outcomes, requests as sent. Big
 * reports are read in batches after the last key, each batch one statement (nothing held open between them).
 */
export class PgReportRepo implements ReportStore {
  constructor(private readonly db: PgDb) {}

  private async source(scope: ReportScope): Promise<Source> {
    if (scope.jobId === undefined || scope.requestIds) return pgSourceOf(scope, true);
    const f = await this.db.row<{ x: boolean }>(`SELECT EXISTS (SELECT 1 FROM outgoing WHERE job_id = ? AND follow_up_of IS NOT NULL) AS x`, [scope.jobId]);
    return pgSourceOf(scope, f!.x);
  }

  async *rowBatches(scope: ReportScope, batchSize = 500): AsyncGenerator<ReportRow[]> {
    yield* this.batches<ReportRow>(await this.source(scope), ROW_COLUMNS, batchSize, 'JOIN outgoing r ON r.id = s.request_id LEFT JOIN jobs j ON j.id = r.job_id');
  }

  async *committedFiles(remoteId: number, batchSize = 1000): AsyncGenerator<VerifiedFile[]> {
    const src = verdictSource(remoteId);
    yield* this.batches<VerifiedFile>({ ...src, sql: `${src.sql} AND outcome = 'committed'` }, VERIFIED_FILE_COLUMNS, batchSize, '');
  }

  private async *batches<T>(src: Source, columns: string, batchSize: number, join: string): AsyncGenerator<T[]> {
    if ('perRequest' in src.batches) {
      const { sql, args } = src.batches.perRequest;
      for (const { id } of await this.db.rows<{ id: number }>(sql, args)) {
        const rows = await this.db.rows<T>(`SELECT ${columns} FROM (${src.sql} AND r.id = ?) s ${join} ORDER BY s.seq`, [...src.args, id]);
        if (rows.length > 0) yield rows;
      }
      return;
    }
    const { keys } = src.batches;
    const order = keys.map((k) => `s.${k}`).join(', ');
    let last: Record<string, unknown> | undefined;
    for (;;) {
      const after = last === undefined ? '' : `WHERE (${order}) > (${keys.map(() => '?').join(', ')})`;
      const rows = await this.db.rows<Record<string, unknown>>(`SELECT ${columns} FROM (${src.sql}) s ${join} ${after} ORDER BY ${order} LIMIT ?`, [
        ...src.args,
        ...(last === undefined ? [] : keys.map((k) => last![KEY_FIELDS[k]!])),
        batchSize,
      ]);
      if (rows.length > 0) yield rows as T[];
      if (rows.length < batchSize) return;
      last = rows[rows.length - 1];
    }
  }

  async totals(scope: ReportScope): Promise<{ instances: number; committed: number; failed: number; pending: number }> {
    const src = await this.source(scope);
    const t = (await this.db.row<{ instances: number; committed: number; failed: number }>(
      `SELECT COUNT(*) AS instances, ${COUNT('committed')} AS committed, ${COUNT('failed')} AS failed FROM (${src.sql}) s`,
      src.args,
    ))!;
    return { ...t, pending: t.instances - t.committed - t.failed };
  }

  async neverAsked(remoteId: number): Promise<number> {
    return (await this.db.row<{ n: number }>(
      `SELECT COUNT(DISTINCT l.sop_instance_uid) AS n FROM library_files l WHERE l.status = 'indexed'
       AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.remote_id = ? AND v.sop_instance_uid = l.sop_instance_uid)`,
      [remoteId],
    ))!.n;
  }

  /** NULLs sort as in SQLite (first going up, last going down). */
  async studies(scope: ReportScope, o: { limit: number; offset: number }): Promise<{ rows: ReportStudyRow[]; total: number }> {
    const src = await this.source(scope);
    const rows = await this.db.rows<ReportStudyRow>(
      `SELECT study_uid AS "studyUid", MAX(patient_id) AS "patientId", MAX(accession_number) AS "accessionNumber", MAX(study_date) AS "studyDate",
         COUNT(*) AS instances, ${COUNT('committed')} AS committed, ${COUNT('failed')} AS failed, ${COUNT('pending')} AS pending
       FROM (${src.sql}) s GROUP BY study_uid
       ORDER BY COUNT(*) FILTER (WHERE outcome <> 'committed') DESC, "studyDate" DESC NULLS LAST, "patientId" NULLS FIRST, study_uid LIMIT ? OFFSET ?`,
      [...src.args, o.limit, o.offset],
    );
    return { rows, total: await this.studyCount(scope) };
  }

  async studyCount(scope: ReportScope): Promise<number> {
    const src = await this.source(scope);
    return (await this.db.row<{ n: number }>(`SELECT COUNT(DISTINCT study_uid) AS n FROM (${src.sql}) s`, src.args))!.n;
  }

  async failureGroups(scope: ReportScope): Promise<{ code: number | null; text: string | null; count: number }[]> {
    const src = await this.source(scope);
    return this.db.rows(
      `SELECT failure_reason AS code, CASE WHEN failure_reason IS NULL THEN detail END AS text, COUNT(*) AS count
       FROM (${src.sql}) s WHERE outcome = 'failed' GROUP BY 1, 2 ORDER BY count DESC, code NULLS FIRST, text NULLS FIRST`,
      src.args,
    );
  }

  async failedRows(scope: ReportScope, limit: number): Promise<FailedRow[]> {
    const src = await this.source(scope);
    return this.db.rows(
      `SELECT study_uid AS "studyUid", sop_instance_uid AS "sopInstanceUid", file_path AS "filePath", transaction_uid AS "transactionUid",
         failure_reason AS code, detail FROM (${src.sql}) s WHERE outcome = 'failed' LIMIT ?`,
      [...src.args, limit],
    );
  }

  async remoteIdsOf(scope: ReportScope): Promise<number[]> {
    if (scope.requestIds) {
      return (await this.db.rows<{ id: number }>(`SELECT DISTINCT remote_id AS id FROM outgoing WHERE id = ANY(?::bigint[]) ORDER BY id`, [[...scope.requestIds]])).map((r) => r.id);
    }
    if (scope.jobId !== undefined) return [(await this.job(scope.jobId))?.remoteId].filter((x): x is number => x !== undefined);
    if (scope.remoteId !== undefined) return [scope.remoteId];
    return (await this.archives()).map((a) => a.remoteId);
  }

  async requestCount(scope: ReportScope): Promise<number> {
    if (scope.requestIds) return new Set(scope.requestIds).size;
    const count = async (sql: string, ...args: unknown[]) => (await this.db.row<{ n: number }>(sql, args))!.n;
    if (scope.jobId !== undefined) return count(`SELECT COUNT(*) AS n FROM outgoing WHERE job_id = ?`, scope.jobId);
    if (scope.remoteId !== undefined) return count(`SELECT COUNT(*) AS n FROM outgoing WHERE job_id IS NOT NULL AND remote_id = ?`, scope.remoteId);
    return count(`SELECT COUNT(*) AS n FROM outgoing WHERE job_id IS NOT NULL`);
  }

  async archives(): Promise<{ remoteId: number; name: string; verdicts: number }[]> {
    return this.db.rows(
      `SELECT v.remote_id AS "remoteId", COUNT(*) AS verdicts,
         COALESCE((SELECT name FROM remotes WHERE id = v.remote_id),
                  (SELECT remote_name FROM outgoing WHERE remote_id = v.remote_id ORDER BY id DESC LIMIT 1)) AS name
       FROM verdicts v GROUP BY v.remote_id ORDER BY v.remote_id`,
    );
  }

  async job(jobId: number): Promise<JobRef | undefined> {
    return this.db.row(`SELECT id, label, created_at AS "createdAt", remote_id AS "remoteId" FROM jobs WHERE id = ?`, [jobId]);
  }

  async jobRunning(jobId: number): Promise<boolean> {
    return !!(await this.db.row(`SELECT 1 AS x FROM outgoing WHERE job_id = ? AND state IN ('queued', 'posting', 'checking', 'working') LIMIT 1`, [jobId]));
  }

  /** Buckets as SQLite computes them: the whole number of intervals since `start`, never below 0. */
  async decisions(jobId: number, start: number, bucketMs: number): Promise<{ bucket: number; outcome: 'committed' | 'failed'; n: number }[]> {
    const src = await this.source({ jobId });
    return this.db.rows(
      `SELECT GREATEST(0, trunc((decided_at - ?::float8) / ?::float8))::bigint AS bucket, outcome, COUNT(*) AS n FROM (${src.sql}) s
       WHERE outcome <> 'pending' GROUP BY 1, 2 ORDER BY 1`,
      [start, bucketMs, ...src.args],
    );
  }

  async lastDecidedAt(jobId: number): Promise<number | null> {
    const src = await this.source({ jobId });
    return (await this.db.row<{ t: number | null }>(`SELECT MAX(decided_at) AS t FROM (${src.sql}) s`, src.args))!.t;
  }

  async instanceVerdicts(sopInstanceUid: string): Promise<InstanceVerdict[]> {
    return this.db.rows(
      `SELECT v.remote_id AS "remoteId", r.remote_name AS "remoteName", v.sop_instance_uid AS "sopInstanceUid", v.outcome,
         v.failure_reason AS "failureReason", v.detail, v.transaction_uid AS "transactionUid", v.job_id AS "jobId", v.decided_at AS "decidedAt",
         v.file_path AS "filePath"
       FROM verdicts v JOIN outgoing r ON r.id = v.request_id
       WHERE v.remote_id IN (SELECT remote_id FROM jobs) AND v.sop_instance_uid = ? ORDER BY v.remote_id`,
      [sopInstanceUid],
    );
  }
}
