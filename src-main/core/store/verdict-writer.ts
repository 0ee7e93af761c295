import { CONTENT_DIFFERS } from '../../../src-shared/content';
import type { Db } from './db';

/** How the outcome of the instances being written is given: as stored, or as it is about to be stored. */
type Override = { outcome: 'failed'; failureReason: number | null; detail: string };

/** The verdict columns an upsert writes (both stores). */
export const VERDICT_COLUMNS = `remote_id, sop_instance_uid, sop_class_uid, study_uid, series_uid, file_path, file_size, file_mtime_ms,
  patient_id, accession_number, study_date, outcome, failure_reason, detail, decided_at, transaction_uid, request_id, seq, job_id, updated_at`;

/** The latest event wins: every column of the verdict is replaced. */
export const ON_CONFLICT = `ON CONFLICT (remote_id, sop_instance_uid) DO UPDATE SET
  sop_class_uid = excluded.sop_class_uid, study_uid = excluded.study_uid, series_uid = excluded.series_uid,
  file_path = excluded.file_path, file_size = excluded.file_size, file_mtime_ms = excluded.file_mtime_ms,
  patient_id = excluded.patient_id, accession_number = excluded.accession_number, study_date = excluded.study_date,
  outcome = excluded.outcome, failure_reason = excluded.failure_reason, detail = excluded.detail,
  transaction_uid = excluded.transaction_uid, request_id = excluded.request_id, seq = excluded.seq, job_id = excluded.job_id,
  decided_at = excluded.decided_at, updated_at = excluded.updated_at`;

/** The upsert of a request's instances into the verdicts; `outcome` is the SQL of outcome, reason, detail and decided_at. */
function upsert(outcome: string, where: string): string {
  return `INSERT INTO verdicts (${VERDICT_COLUMNS})
    SELECT r.remote_id, i.sop_instance_uid, i.sop_class_uid, COALESCE(i.study_uid, ''), COALESCE(i.series_uid, ''), i.file_path,
      i.file_size, i.file_mtime_ms, i.patient_id, i.accession_number, i.study_date, ${outcome}, r.transaction_uid, i.request_id, i.seq,
      r.job_id, ?
    FROM outgoing_instances i JOIN outgoing r ON r.id = i.request_id
    WHERE i.request_id = ? AND r.job_id IS NOT NULL ${where}
    ${ON_CONFLICT}`;
}

/** A verdict failed by a content check (not by the archive): no failure reason, its detail says so. */
const CONTENT_FAILED = `outcome = 'failed' AND failure_reason IS NULL AND substr(detail, 1, ?) = ?`;

/** A committed verdict (or one failed for its content) fails with a new detail: detail, decided_at, updated_at, remote, instance, and CONTENT_FAILED's two. */
export const CONTENT_DIFFERS_SQL = `UPDATE verdicts SET outcome = 'failed', failure_reason = NULL, detail = ?, decided_at = ?, updated_at = ?
  WHERE remote_id = ? AND sop_instance_uid = ? AND (outcome = 'committed' OR (${CONTENT_FAILED}))`;

/** The request's own row still holds what the archive answered (content checks never change the history). */
const own = (col: string) => `(SELECT i.${col} FROM outgoing_instances i WHERE i.request_id = verdicts.request_id AND i.seq = verdicts.seq)`;

/** A verdict failed for its content is its request's outcome again: decided_at, updated_at, remote, instance, and CONTENT_FAILED's two. */
export const CONTENT_RESTORE_SQL = `UPDATE verdicts SET outcome = ${own('outcome')}, failure_reason = ${own('failure_reason')}, detail = ${own('detail')},
    decided_at = ?, updated_at = ?
  WHERE remote_id = ? AND sop_instance_uid = ? AND ${CONTENT_FAILED} AND ${own('outcome')} IS NOT NULL`;

/** The arguments of CONTENT_FAILED. */
export const CONTENT_FAILED_ARGS = [CONTENT_DIFFERS.length, CONTENT_DIFFERS] as const;

/** The stored outcome; decided_at is when it was stored (none while pending). */
export const AS_STORED = `i.outcome, i.failure_reason, i.detail, CASE WHEN i.outcome = 'pending' THEN NULL ELSE i.updated_at END`;

/**
 * Keeps the verdicts (the latest outcome per archive and instance) in step with outgoing_instances.
 * Every method runs inside the caller's transaction, right where an outcome changes, so that a
 * verdict never disagrees with the history it comes from. Only requests of jobs give verdicts: a
 * proxied request answers another system's question, not one about this workstation's files.
 */
export class VerdictWriter {
  private readonly all;
  private readonly seqs;
  private readonly pendingAsFailed;
  private readonly uid;
  private readonly differs;
  private readonly restore;

  constructor(db: Db) {
    this.all = db.sql.prepare(upsert(AS_STORED, ''));
    this.seqs = db.sql.prepare(upsert(AS_STORED, 'AND i.seq IN (SELECT value FROM json_each(?))'));
    this.pendingAsFailed = db.sql.prepare(upsert(`'failed', ?, ?, ?`, `AND i.outcome = 'pending'`));
    this.uid = db.sql.prepare(
      `UPDATE verdicts SET transaction_uid = ? WHERE request_id = ? AND (remote_id, sop_instance_uid) IN
        (SELECT r.remote_id, i.sop_instance_uid FROM outgoing_instances i JOIN outgoing r ON r.id = i.request_id WHERE i.request_id = ?)`,
    );
    this.differs = db.sql.prepare(CONTENT_DIFFERS_SQL);
    this.restore = db.sql.prepare(CONTENT_RESTORE_SQL);
  }

  /**
   * The archive's copy differs from the local file (compare content): a committed verdict becomes failed with
   * `detail` ("content differs: …"); one already failed for its content names the new difference.
   */
  contentDiffers(remoteId: number, sopInstanceUid: string, detail: string, now: number): void {
    this.differs.run(detail, now, now, remoteId, sopInstanceUid, ...CONTENT_FAILED_ARGS);
  }

  /** A later content check found the copy the same: a verdict failed for its content is the request's outcome again. */
  contentSame(remoteId: number, sopInstanceUid: string, now: number): void {
    this.restore.run(now, now, remoteId, sopInstanceUid, ...CONTENT_FAILED_ARGS);
  }

  /** Every instance of the request, as stored (a new request, or one reset for a resend). */
  request(requestId: number, now: number): void {
    this.all.run(now, requestId);
  }

  /** The given instances of the request, as stored (an answer or a report). */
  instances(requestId: number, seqs: readonly number[], now: number): void {
    if (seqs.length > 0) this.seqs.run(now, requestId, JSON.stringify(seqs));
  }

  /** Before the request's pending instances are marked failed: their verdict says so, with the same reason. */
  pendingFailed(requestId: number, o: Override, now: number): void {
    this.pendingAsFailed.run(o.failureReason, o.detail, now, now, requestId);
  }

  /** The request moved to a new Transaction UID (409 at the archive): its verdicts name the new one. */
  renamed(requestId: number, transactionUid: string): void {
    this.uid.run(transactionUid, requestId, requestId);
  }
}
