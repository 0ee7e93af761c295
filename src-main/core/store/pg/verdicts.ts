import { AS_STORED, CONTENT_DIFFERS_SQL, CONTENT_FAILED_ARGS, CONTENT_RESTORE_SQL, ON_CONFLICT, VERDICT_COLUMNS } from '../verdict-writer';
import type { PgTx } from './db';

/**
 * The upsert of requests' instances into the verdicts; `outcome` is the SQL of outcome, reason, detail and
 * decided_at. One row per (archive, instance): where a job's requests name an instance twice, the latest
 * request's row wins, as in SQLite where the later row overwrites the earlier. The rows go in key order,
 * so that two nodes writing overlapping verdicts lock them in the same order (no deadlock).
 */
function upsert(outcome: string, where: string): string {
  return `INSERT INTO verdicts (${VERDICT_COLUMNS})
    SELECT DISTINCT ON (r.remote_id, i.sop_instance_uid)
      r.remote_id, i.sop_instance_uid, i.sop_class_uid, COALESCE(i.study_uid, ''), COALESCE(i.series_uid, ''), i.file_path,
      i.file_size, i.file_mtime_ms, i.patient_id, i.accession_number, i.study_date, ${outcome}, r.transaction_uid, i.request_id, i.seq,
      r.job_id, ?::bigint
    FROM outgoing_instances i JOIN outgoing r ON r.id = i.request_id
    WHERE i.request_id = ANY(?::bigint[]) AND r.job_id IS NOT NULL ${where}
    ORDER BY r.remote_id, i.sop_instance_uid, i.request_id DESC, i.seq DESC
    ${ON_CONFLICT}`;
}

const ALL = upsert(AS_STORED, '');
const SEQS = upsert(AS_STORED, 'AND i.seq = ANY(?::int[])');
const PENDING_AS_FAILED = upsert(`'failed', ?::int, ?::text, ?::bigint`, `AND i.outcome = 'pending'`);
const RENAMED = `UPDATE verdicts SET transaction_uid = ? WHERE request_id = ? AND (remote_id, sop_instance_uid) IN
  (SELECT r.remote_id, i.sop_instance_uid FROM outgoing_instances i JOIN outgoing r ON r.id = i.request_id WHERE i.request_id = ?)`;

/**
 * Keeps the verdicts in step with outgoing_instances, inside the caller's transaction (see VerdictWriter,
 * the SQLite twin: only requests of jobs give verdicts).
 */
export const pgVerdicts = {
  /** Every instance of the requests, as stored (new requests, or one reset for a resend). */
  requests: (t: PgTx, requestIds: readonly number[], now: number) => t.run(ALL, [now, requestIds]),
  /** The given instances of the request, as stored (an answer or a report). */
  instances: async (t: PgTx, requestId: number, seqs: readonly number[], now: number) => {
    if (seqs.length > 0) await t.run(SEQS, [now, [requestId], seqs]);
  },
  /** Before the request's pending instances are marked failed: their verdict says so, with the same reason. */
  pendingFailed: (t: PgTx, requestId: number, o: { failureReason: number | null; detail: string }, now: number) =>
    t.run(PENDING_AS_FAILED, [o.failureReason, o.detail, now, now, [requestId]]),
  /** The request moved to a new Transaction UID: its verdicts name the new one. */
  renamed: (t: PgTx, requestId: number, transactionUid: string) => t.run(RENAMED, [transactionUid, requestId, requestId]),
  /** The archive's copy differs (compare content): a committed verdict (or one failed for its content) fails with `detail`. */
  contentDiffers: (t: PgTx, remoteId: number, sopInstanceUid: string, detail: string, now: number) =>
    t.run(CONTENT_DIFFERS_SQL, [detail, now, now, remoteId, sopInstanceUid, ...CONTENT_FAILED_ARGS]),
  /** A later check found the copy the same: a verdict failed for its content is its request's outcome again. */
  contentSame: (t: PgTx, remoteId: number, sopInstanceUid: string, now: number) => t.run(CONTENT_RESTORE_SQL, [now, now, remoteId, sopInstanceUid, ...CONTENT_FAILED_ARGS]),
};
