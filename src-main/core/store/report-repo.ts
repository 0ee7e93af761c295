import type { InstanceVerdict, ReportScope, ReportStudyRow } from '../../../src-shared/report';
import type { Db } from './db';
import type { ReportStore } from './ports';
import { sourceOf, verdictSource, type Source } from './report-sources';
import type { JobRef, ReportRow, VerifiedFile } from '../report/model/rows';

/** Report rows read at a time (a CSV of 100,000 instances streams in batches). */
const REPORT_ROWS_BATCH = 500;
/** Committed files read at a time (the safe-to-delete check stats each). */
const COMMITTED_FILES_BATCH = 1000;

export type { ReportRow, VerifiedFile };

/** A ReportRow, from a source `s`, its request `r` and job `j` (quoted aliases: PostgreSQL keeps their case too). */
export const ROW_COLUMNS = `s.remote_id AS "remoteId", s.study_uid AS "studyUid", s.series_uid AS "seriesUid", s.sop_class_uid AS "sopClassUid",
  s.sop_instance_uid AS "sopInstanceUid", s.file_path AS "filePath", r.remote_name AS "remoteName", s.transaction_uid AS "transactionUid",
  s.request_id AS "requestId", s.seq, r.state AS "requestState", s.outcome, s.failure_reason AS "failureReason", s.detail,
  r.created_at AS "requestedAt", r.sent_at AS "sentAt", s.decided_at AS "decidedAt", s.patient_id AS "patientId",
  s.accession_number AS "accessionNumber", s.study_date AS "studyDate", j.label AS "jobLabel"`;

/** A VerifiedFile, with the keyset columns of the verdicts. */
export const VERIFIED_FILE_COLUMNS = `s.study_uid AS "studyUid", s.series_uid AS "seriesUid", s.sop_instance_uid AS "sopInstanceUid", s.file_path AS "filePath",
  s.file_size AS "fileSize", s.file_mtime_ms AS "fileMtimeMs"`;

/** Where the keyset columns of a source are in a ReportRow. */
export const KEY_FIELDS: Record<string, string> = {
  remote_id: 'remoteId',
  study_uid: 'studyUid',
  series_uid: 'seriesUid',
  sop_instance_uid: 'sopInstanceUid',
};

/**
 * Reads for reports: verdicts per archive, a job's latest outcomes, requests as sent. Big reports
 * are read in batches after the last key (never one giant array, and no statement left open between
 * batches, so the engine can write while a report is written out).
 */
export class ReportRepo implements ReportStore {
  constructor(private readonly db: Db) {}

  private source(scope: ReportScope): Source {
    if (scope.jobId === undefined || scope.requestIds) return sourceOf(scope);
    const followUps = this.db.sql.prepare(`SELECT EXISTS (SELECT 1 FROM outgoing WHERE job_id = ? AND follow_up_of IS NOT NULL) AS x`).get(scope.jobId) as { x: number };
    return sourceOf(scope, followUps.x === 1);
  }

  async *rowBatches(scope: ReportScope, batchSize = REPORT_ROWS_BATCH): AsyncGenerator<ReportRow[]> {
    yield* this.batches<ReportRow>(this.source(scope), ROW_COLUMNS, batchSize, 'JOIN outgoing r ON r.id = s.request_id LEFT JOIN jobs j ON j.id = r.job_id');
  }

  /** The committed files of an archive's verdicts, with their size and mtime when verified. */
  async *committedFiles(remoteId: number, batchSize = COMMITTED_FILES_BATCH): AsyncGenerator<VerifiedFile[]> {
    const src = verdictSource(remoteId);
    yield* this.batches<VerifiedFile>(
      { ...src, sql: `${src.sql} AND outcome = 'committed'` },
      VERIFIED_FILE_COLUMNS,
      batchSize,
      '',
    );
  }

  private *batches<T>(src: Source, columns: string, batchSize: number, join: string): Generator<T[]> {
    if ('perRequest' in src.batches) {
      // Request by request (at most the remote's instances per request each), in id and seq order.
      const one = this.db.sql.prepare(`SELECT ${columns} FROM (${src.sql} AND r.id = ?) s ${join} ORDER BY s.seq`);
      const { sql, args } = src.batches.perRequest;
      for (const { id } of this.db.sql.prepare(sql).all(...args) as { id: number }[]) {
        const rows = one.all(...src.args, id) as T[];
        if (rows.length > 0) yield rows;
      }
      return;
    }
    const { keys } = src.batches;
    const order = keys.map((k) => `s.${k}`).join(', ');
    const after = `WHERE (${order}) > (${keys.map(() => '?').join(', ')})`;
    const first = this.db.sql.prepare(`SELECT ${columns} FROM (${src.sql}) s ${join} ORDER BY ${order} LIMIT ?`);
    const next = this.db.sql.prepare(`SELECT ${columns} FROM (${src.sql}) s ${join} ${after} ORDER BY ${order} LIMIT ?`);
    let last: Record<string, unknown> | undefined;
    for (;;) {
      const rows = (last === undefined
        ? first.all(...src.args, batchSize)
        : next.all(...src.args, ...keys.map((k) => last![KEY_FIELDS[k]!]), batchSize)) as Record<string, unknown>[];
      if (rows.length > 0) yield rows as T[];
      if (rows.length < batchSize) return;
      last = rows[rows.length - 1];
    }
  }

  async totals(scope: ReportScope): Promise<{ instances: number; committed: number; failed: number; pending: number }> {
    const src = this.source(scope);
    const t = this.db.sql
      .prepare(
        `SELECT COUNT(*) AS instances, COALESCE(SUM(outcome = 'committed'), 0) AS committed, COALESCE(SUM(outcome = 'failed'), 0) AS failed
         FROM (${src.sql})`,
      )
      .get(...src.args) as { instances: number; committed: number; failed: number };
    return { ...t, pending: t.instances - t.committed - t.failed };
  }

  /** Instances indexed in the library of any node with no verdict for the archive (one answer whichever node asks). */
  async neverAsked(remoteId: number): Promise<number> {
    return (
      this.db.sql
        .prepare(
          `SELECT COUNT(DISTINCT l.sop_instance_uid) AS n FROM library_files l WHERE l.status = 'indexed'
           AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.remote_id = ? AND v.sop_instance_uid = l.sop_instance_uid)`,
        )
        .get(remoteId) as { n: number }
    ).n;
  }

  /** Per study: instances and outcomes; the studies with most not committed first. */
  async studies(scope: ReportScope, o: { limit: number; offset: number }): Promise<{ rows: ReportStudyRow[]; total: number }> {
    const src = this.source(scope);
    const rows = this.db.sql
      .prepare(
        `SELECT study_uid AS studyUid, MAX(patient_id) AS patientId, MAX(accession_number) AS accessionNumber, MAX(study_date) AS studyDate,
           COUNT(*) AS instances, SUM(outcome = 'committed') AS committed, SUM(outcome = 'failed') AS failed, SUM(outcome = 'pending') AS pending
         FROM (${src.sql}) GROUP BY study_uid ORDER BY failed + pending DESC, studyDate DESC, patientId, study_uid LIMIT ? OFFSET ?`,
      )
      .all(...src.args, o.limit, o.offset) as ReportStudyRow[];
    return { rows, total: this.studyCountNow(scope) };
  }

  async studyCount(scope: ReportScope): Promise<number> {
    return this.studyCountNow(scope);
  }

  private studyCountNow(scope: ReportScope): number {
    const src = this.source(scope);
    return (this.db.sql.prepare(`SELECT COUNT(DISTINCT study_uid) AS n FROM (${src.sql})`).get(...src.args) as { n: number }).n;
  }

  /** Failed instances grouped by code, and by the whole recorded text when there is no code. */
  async failureGroups(scope: ReportScope): Promise<{ code: number | null; text: string | null; count: number }[]> {
    const src = this.source(scope);
    return this.db.sql
      .prepare(
        `SELECT failure_reason AS code, CASE WHEN failure_reason IS NULL THEN detail END AS text, COUNT(*) AS count
         FROM (${src.sql}) WHERE outcome = 'failed' GROUP BY 1, 2 ORDER BY count DESC, code, text`,
      )
      .all(...src.args) as { code: number | null; text: string | null; count: number }[];
  }

  async failedRows(
    scope: ReportScope,
    limit: number,
  ): Promise<{ studyUid: string; sopInstanceUid: string; filePath: string | null; transactionUid: string; code: number | null; detail: string | null }[]> {
    const src = this.source(scope);
    return this.db.sql
      .prepare(
        `SELECT study_uid AS studyUid, sop_instance_uid AS sopInstanceUid, file_path AS filePath, transaction_uid AS transactionUid,
           failure_reason AS code, detail FROM (${src.sql}) WHERE outcome = 'failed' LIMIT ?`,
      )
      .all(...src.args, limit) as { studyUid: string; sopInstanceUid: string; filePath: string | null; transactionUid: string; code: number | null; detail: string | null }[];
  }

  /** The archives a scope covers. */
  async remoteIdsOf(scope: ReportScope): Promise<number[]> {
    if (scope.requestIds) {
      const sql = `SELECT DISTINCT remote_id AS id FROM outgoing WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`;
      return (this.db.sql.prepare(sql).all(JSON.stringify(scope.requestIds)) as { id: number }[]).map((r) => r.id);
    }
    if (scope.jobId !== undefined) return [this.jobNow(scope.jobId)?.remoteId].filter((x): x is number => x !== undefined);
    if (scope.remoteId !== undefined) return [scope.remoteId];
    return this.archivesNow().map((a) => a.remoteId);
  }

  /** The requests of the scope: those named, of the job, or every job's requests to the archive(s). */
  async requestCount(scope: ReportScope): Promise<number> {
    if (scope.requestIds) return new Set(scope.requestIds).size;
    const count = (sql: string, ...args: unknown[]) => (this.db.sql.prepare(sql).get(...args) as { n: number }).n;
    if (scope.jobId !== undefined) return count(`SELECT COUNT(*) AS n FROM outgoing WHERE job_id = ?`, scope.jobId);
    if (scope.remoteId !== undefined) return count(`SELECT COUNT(*) AS n FROM outgoing WHERE job_id IS NOT NULL AND remote_id = ?`, scope.remoteId);
    return count(`SELECT COUNT(*) AS n FROM outgoing WHERE job_id IS NOT NULL`);
  }

  /** Every archive that has verdicts, with the name it had in its latest request. */
  async archives(): Promise<{ remoteId: number; name: string; verdicts: number }[]> {
    return this.archivesNow();
  }

  private archivesNow(): { remoteId: number; name: string; verdicts: number }[] {
    return this.db.sql
      .prepare(
        `SELECT v.remote_id AS remoteId, COUNT(*) AS verdicts,
           COALESCE((SELECT name FROM remotes WHERE id = v.remote_id),
                    (SELECT remote_name FROM outgoing WHERE remote_id = v.remote_id ORDER BY id DESC LIMIT 1)) AS name
         FROM verdicts v GROUP BY v.remote_id ORDER BY v.remote_id`,
      )
      .all() as { remoteId: number; name: string; verdicts: number }[];
  }

  async job(jobId: number): Promise<JobRef | undefined> {
    return this.jobNow(jobId);
  }

  private jobNow(jobId: number): JobRef | undefined {
    return this.db.sql.prepare(`SELECT id, label, created_at AS createdAt, remote_id AS remoteId FROM jobs WHERE id = ?`).get(jobId) as JobRef | undefined;
  }

  async jobRunning(jobId: number): Promise<boolean> {
    return (
      this.db.sql.prepare(`SELECT COUNT(*) AS n FROM outgoing WHERE job_id = ? AND state IN ('queued', 'posting', 'checking', 'working')`).get(jobId) as {
        n: number;
      }
    ).n > 0;
  }

  /** How many of a job's latest outcomes were decided in each time bucket (from `start`, `bucketMs` wide). */
  async decisions(jobId: number, start: number, bucketMs: number): Promise<{ bucket: number; outcome: 'committed' | 'failed'; n: number }[]> {
    const src = this.source({ jobId });
    return this.db.sql
      .prepare(
        `SELECT MAX(0, CAST((decided_at - ?) / ? AS INTEGER)) AS bucket, outcome, COUNT(*) AS n FROM (${src.sql})
         WHERE outcome <> 'pending' GROUP BY bucket, outcome ORDER BY bucket`,
      )
      .all(start, bucketMs, ...src.args) as { bucket: number; outcome: 'committed' | 'failed'; n: number }[];
  }

  /** When the last of a job's latest outcomes was decided. */
  async lastDecidedAt(jobId: number): Promise<number | null> {
    const src = this.source({ jobId });
    return (this.db.sql.prepare(`SELECT MAX(decided_at) AS t FROM (${src.sql})`).get(...src.args) as { t: number | null }).t;
  }

  /** The verdicts of one instance, at every archive (one key lookup per archive that was ever asked). */
  async instanceVerdicts(sopInstanceUid: string): Promise<InstanceVerdict[]> {
    return this.db.sql
      .prepare(
        `SELECT v.remote_id AS remoteId, r.remote_name AS remoteName, v.sop_instance_uid AS sopInstanceUid, v.outcome,
           v.failure_reason AS failureReason, v.detail, v.transaction_uid AS transactionUid, v.job_id AS jobId, v.decided_at AS decidedAt,
           v.file_path AS filePath
         FROM verdicts v JOIN outgoing r ON r.id = v.request_id
         WHERE v.remote_id IN (SELECT remote_id FROM jobs) AND v.sop_instance_uid = ? ORDER BY v.remote_id`,
      )
      .all(sopInstanceUid) as InstanceVerdict[];
  }
}
