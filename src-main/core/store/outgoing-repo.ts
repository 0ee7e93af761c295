import type { RequestForm } from '../../../src-shared/commitment/model';
import { AppError } from '../../../src-shared/contract/errors';
import { ACTIVE_STATES, type OutgoingInstance, type OutgoingRequest, type OutgoingState } from '../../../src-shared/outgoing';
import type { Db } from './db';
import { VerdictWriter } from './verdict-writer';

export interface PlannedInstance {
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string | null;
  seriesUid: string | null;
  filePath: string | null;
  /** What the library index said when the request was planned: the file's size and mtime, and the patient data. */
  fileSize?: number | null;
  fileMtimeMs?: number | null;
  patientId?: string | null;
  accessionNumber?: string | null;
  studyDate?: string | null;
}

export interface PlannedRequest {
  transactionUid: string;
  /** The incoming transaction this request forwards (proxy), if any. */
  proxyFor?: string | null;
  /** The earlier request of the same job whose instances this one resends. */
  followUpOf?: number | null;
  form: RequestForm;
  studyUid: string | null;
  label: string | null;
  instances: PlannedInstance[];
}

export interface InstanceResult {
  seq: number;
  outcome: 'committed' | 'failed';
  failureReason: number | null;
  detail: string | null;
}

const REQUEST_COLUMNS = `id, job_id AS jobId, remote_id AS remoteId, remote_name AS remoteName, transaction_uid AS transactionUid,
  previous_uids AS previousUids, state, form, study_uid AS studyUid, label, instance_count AS instanceCount,
  committed_count AS committedCount, failed_count AS failedCount, created_at AS createdAt, sent_at AS sentAt,
  working_since AS workingSince, last_contact_at AS lastContactAt, next_attempt_at AS nextAttemptAt,
  completed_at AS completedAt, attempts, polls, http_status AS httpStatus, error, proxy_for AS proxyFor,
  (SELECT label FROM jobs WHERE jobs.id = outgoing.job_id) AS jobLabel`;

const INSTANCE_COLUMNS = `request_id AS requestId, seq, sop_class_uid AS sopClassUid, sop_instance_uid AS sopInstanceUid,
  study_uid AS studyUid, series_uid AS seriesUid, file_path AS filePath, outcome, failure_reason AS failureReason,
  detail, updated_at AS updatedAt`;

type RequestRow = Omit<OutgoingRequest, 'previousUids'> & { previousUids: string };

/** Fields of a request the engine may change, mapped to their columns. */
const PATCHABLE = {
  state: 'state',
  transactionUid: 'transaction_uid',
  sentAt: 'sent_at',
  workingSince: 'working_since',
  lastContactAt: 'last_contact_at',
  nextAttemptAt: 'next_attempt_at',
  completedAt: 'completed_at',
  attempts: 'attempts',
  polls: 'polls',
  httpStatus: 'http_status',
  error: 'error',
  rawResponse: 'raw_response',
} as const;

export type RequestPatch = Partial<Record<keyof typeof PATCHABLE, string | number | null>> & { state?: OutgoingState };

/** Outgoing commitment requests and each instance's outcome. Everything is written before it is sent or announced. */
export class OutgoingRepo {
  private readonly verdicts: VerdictWriter;

  constructor(private readonly db: Db) {
    this.verdicts = new VerdictWriter(db);
  }

  /** Persists a job and all its requests (with every instance pending) in one transaction, before anything is sent. */
  createJob(o: { remoteId: number; remoteName: string; label: string; form: RequestForm; requests: PlannedRequest[]; now: number }): {
    jobId: number;
    requestIds: number[];
  } {
    return this.db.tx(() => {
      const jobId = Number(
        this.db.sql
          .prepare(`INSERT INTO jobs (remote_id, label, form, created_at) VALUES (?, ?, ?, ?)`)
          .run(o.remoteId, o.label, o.form, o.now).lastInsertRowid,
      );
      const requestIds = o.requests.map((r) => this.insertRequest(jobId, o.remoteId, o.remoteName, r, o.now));
      return { jobId, requestIds };
    });
  }

  private insertRequest(jobId: number | null, remoteId: number, remoteName: string, r: PlannedRequest, now: number): number {
    const id = Number(
      this.db.sql
        .prepare(
          `INSERT INTO outgoing (job_id, remote_id, remote_name, transaction_uid, state, form, study_uid, label, instance_count, created_at, next_attempt_at, proxy_for, follow_up_of)
           VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(jobId, remoteId, remoteName, r.transactionUid, r.form, r.studyUid, r.label, r.instances.length, now, now, r.proxyFor ?? null, r.followUpOf ?? null)
        .lastInsertRowid,
    );
    const rows = r.instances.map((i) => [
      i.sopClassUid,
      i.sopInstanceUid,
      i.studyUid,
      i.seriesUid,
      i.filePath,
      i.fileSize ?? null,
      i.fileMtimeMs ?? null,
      i.patientId ?? null,
      i.accessionNumber ?? null,
      i.studyDate ?? null,
    ]);
    this.db.sql
      .prepare(
        `INSERT INTO outgoing_instances (request_id, seq, sop_class_uid, sop_instance_uid, study_uid, series_uid, file_path,
           file_size, file_mtime_ms, patient_id, accession_number, study_date, updated_at)
         SELECT ?, key, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7,
           value ->> 8, value ->> 9, ? FROM json_each(?)`,
      )
      .run(id, now, JSON.stringify(rows));
    this.verdicts.request(id, now);
    return id;
  }

  /** A single request outside any job (the proxy forwarding an incoming transaction). */
  createSingle(remoteId: number, remoteName: string, r: PlannedRequest, now: number): number {
    return this.db.tx(() => this.insertRequest(null, remoteId, remoteName, r, now));
  }

  /** Removes a request that was never accepted (a proxy whose upstream refused at once). */
  deleteRequest(id: number): void {
    this.db.tx(() => {
      this.db.sql.prepare(`DELETE FROM outgoing_instances WHERE request_id = ?`).run(id);
      this.db.sql.prepare(`DELETE FROM outgoing WHERE id = ?`).run(id);
    });
  }

  findByProxyFor(incomingUid: string): OutgoingRequest | undefined {
    const row = this.db.sql.prepare(`SELECT ${REQUEST_COLUMNS} FROM outgoing WHERE proxy_for = ? ORDER BY id DESC LIMIT 1`).get(incomingUid) as
      | RequestRow
      | undefined;
    return row ? toRequest(row) : undefined;
  }

  /** Keeps an N-EVENT-REPORT that matches no request Safekeep can complete. */
  recordUnmatchedReport(o: { transactionUid: string; callingAe: string; eventType: number; committed: number; failed: number; why: string; payload: unknown; now: number }): void {
    this.db.sql
      .prepare(
        `INSERT INTO dimse_unmatched_reports (transaction_uid, calling_ae, event_type, committed_count, failed_count, received_at, why, payload)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(o.transactionUid, o.callingAe, o.eventType, o.committed, o.failed, o.now, o.why, JSON.stringify(o.payload));
  }

  unmatchedReports(): { transactionUid: string; callingAe: string; eventType: number; receivedAt: number; why: string }[] {
    return this.db.sql
      .prepare(
        `SELECT transaction_uid AS transactionUid, calling_ae AS callingAe, event_type AS eventType, received_at AS receivedAt, why
         FROM dimse_unmatched_reports ORDER BY id DESC LIMIT 1000`,
      )
      .all() as { transactionUid: string; callingAe: string; eventType: number; receivedAt: number; why: string }[];
  }

  /** A new request (same job, same remote) for the given instances of an earlier one: "resend". */
  createFollowUp(from: OutgoingRequest, r: PlannedRequest, now: number): number {
    return this.db.tx(() => this.insertRequest(from.jobId, from.remoteId, from.remoteName, { ...r, followUpOf: from.id }, now));
  }

  get(id: number): OutgoingRequest {
    const row = this.db.sql.prepare(`SELECT ${REQUEST_COLUMNS} FROM outgoing WHERE id = ?`).get(id) as RequestRow | undefined;
    if (!row) throw new AppError('not-found', `No outgoing request ${id}`);
    return toRequest(row);
  }

  findByUid(transactionUid: string): OutgoingRequest | undefined {
    const row = this.db.sql
      .prepare(`SELECT ${REQUEST_COLUMNS} FROM outgoing WHERE transaction_uid = ? OR previous_uids LIKE ?`)
      .get(transactionUid, `%"${transactionUid}"%`) as RequestRow | undefined;
    return row ? toRequest(row) : undefined;
  }

  rawResponse(id: number): string | null {
    const row = this.db.sql.prepare(`SELECT raw_response AS r FROM outgoing WHERE id = ?`).get(id) as { r: string | null } | undefined;
    return row?.r ?? null;
  }

  patch(id: number, p: RequestPatch): void {
    const keys = Object.keys(p) as (keyof typeof PATCHABLE)[];
    if (keys.length === 0) return;
    const sets = keys.map((k) => `${PATCHABLE[k]} = ?`).join(', ');
    this.db.sql.prepare(`UPDATE outgoing SET ${sets} WHERE id = ?`).run(...keys.map((k) => p[k] ?? null), id);
  }

  /** Moves to a new Transaction UID (after 409), remembering the old one. */
  changeUid(id: number, newUid: string, patch: RequestPatch): void {
    this.db.tx(() => {
      const r = this.get(id);
      this.db.sql
        .prepare(`UPDATE outgoing SET transaction_uid = ?, previous_uids = ? WHERE id = ?`)
        .run(newUid, JSON.stringify([...r.previousUids, r.transactionUid]), id);
      this.verdicts.renamed(id, newUid);
      this.patch(id, patch);
    });
  }

  /** Instances of a request, in order (for building its payload and checking the answer). */
  instancesOf(id: number): OutgoingInstance[] {
    const rows = JSON.parse(
      (
        this.db.sql
          .prepare(
            `SELECT json_group_array(json_array(seq, sop_class_uid, sop_instance_uid, study_uid, series_uid, file_path, outcome,
               failure_reason, detail, updated_at)) AS rows FROM (SELECT * FROM outgoing_instances WHERE request_id = ? ORDER BY seq)`,
          )
          .get(id) as { rows: string }
      ).rows,
    ) as [number, string, string, string | null, string | null, string | null, OutgoingInstance['outcome'], number | null, string | null, number | null][];
    return rows.map((r) => ({
      requestId: id,
      seq: r[0],
      sopClassUid: r[1],
      sopInstanceUid: r[2],
      studyUid: r[3],
      seriesUid: r[4],
      filePath: r[5],
      outcome: r[6],
      failureReason: r[7],
      detail: r[8],
      updatedAt: r[9],
    }));
  }

  /** Stores every instance's outcome and the request's final state in one transaction. */
  complete(id: number, results: readonly InstanceResult[], patch: RequestPatch, now: number): void {
    this.db.tx(() => {
      const set = this.db.sql.prepare(
        `UPDATE outgoing_instances SET outcome = ?, failure_reason = ?, detail = ?, updated_at = ? WHERE request_id = ? AND seq = ?`,
      );
      for (const r of results) set.run(r.outcome, r.failureReason, r.detail, now, id, r.seq);
      this.verdicts.instances(
        id,
        results.map((r) => r.seq),
        now,
      );
      this.recount(id);
      this.patch(id, patch);
    });
  }

  /** Marks every still-pending instance failed with an explanation (request refused, lost, timed out...). */
  failPending(id: number, detail: string, patch: RequestPatch, now: number, failureReason: number | null = null): void {
    this.db.tx(() => {
      this.verdicts.pendingFailed(id, { outcome: 'failed', failureReason, detail }, now);
      this.db.sql
        .prepare(`UPDATE outgoing_instances SET outcome = 'failed', failure_reason = ?, detail = ?, updated_at = ? WHERE request_id = ? AND outcome = 'pending'`)
        .run(failureReason, detail, now, id);
      this.recount(id);
      this.patch(id, patch);
    });
  }

  /** Back to pending for a resend under a new Transaction UID. */
  reset(id: number, newUid: string, now: number): void {
    this.db.tx(() => {
      this.db.sql
        .prepare(`UPDATE outgoing_instances SET outcome = 'pending', failure_reason = NULL, detail = NULL, updated_at = ? WHERE request_id = ?`)
        .run(now, id);
      this.recount(id);
      this.changeUid(id, newUid, {
        state: 'queued',
        nextAttemptAt: now,
        attempts: 0,
        polls: 0,
        error: null,
        httpStatus: null,
        sentAt: null,
        workingSince: null,
        completedAt: null,
        rawResponse: null,
      });
      this.verdicts.request(id, now);
    });
  }

  /** The instances of a finished request that were not committed, as planned (for a follow-up request). */
  notCommitted(id: number): PlannedInstance[] {
    return this.db.sql
      .prepare(
        `SELECT sop_class_uid AS sopClassUid, sop_instance_uid AS sopInstanceUid, study_uid AS studyUid, series_uid AS seriesUid,
           file_path AS filePath, file_size AS fileSize, file_mtime_ms AS fileMtimeMs, patient_id AS patientId,
           accession_number AS accessionNumber, study_date AS studyDate
         FROM outgoing_instances WHERE request_id = ? AND outcome <> 'committed' ORDER BY seq`,
      )
      .all(id) as PlannedInstance[];
  }

  private recount(id: number): void {
    this.db.sql
      .prepare(
        `UPDATE outgoing SET
          committed_count = (SELECT COUNT(*) FROM outgoing_instances WHERE request_id = ? AND outcome = 'committed'),
          failed_count = (SELECT COUNT(*) FROM outgoing_instances WHERE request_id = ? AND outcome = 'failed')
         WHERE id = ?`,
      )
      .run(id, id, id);
  }

  /** Requests the engine must carry on with (after a restart too). */
  active(): OutgoingRequest[] {
    return (
      this.db.sql
        .prepare(`SELECT ${REQUEST_COLUMNS} FROM outgoing WHERE state IN (${ACTIVE_STATES.map(() => '?').join(', ')}) ORDER BY id`)
        .all(...ACTIVE_STATES) as RequestRow[]
    ).map(toRequest);
  }

  list(o: { limit: number; offset: number; jobId?: number; state?: OutgoingState; remoteId?: number }): { rows: OutgoingRequest[]; total: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (o.jobId !== undefined) (where.push('job_id = ?'), args.push(o.jobId));
    if (o.state !== undefined) (where.push('state = ?'), args.push(o.state));
    if (o.remoteId !== undefined) (where.push('remote_id = ?'), args.push(o.remoteId));
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = (
      this.db.sql.prepare(`SELECT ${REQUEST_COLUMNS} FROM outgoing ${w} ORDER BY id DESC LIMIT ? OFFSET ?`).all(...args, o.limit, o.offset) as RequestRow[]
    ).map(toRequest);
    const total = (this.db.sql.prepare(`SELECT COUNT(*) AS n FROM outgoing ${w}`).get(...args) as { n: number }).n;
    return { rows, total };
  }

  instances(
    id: number,
    o: { limit: number; offset: number; outcome?: string; failureReason?: number },
  ): { rows: OutgoingInstance[]; total: number } {
    const where = ['request_id = ?'];
    const args: unknown[] = [id];
    if (o.outcome) (where.push('outcome = ?'), args.push(o.outcome));
    if (o.failureReason !== undefined) (where.push('failure_reason = ?'), args.push(o.failureReason));
    const w = `WHERE ${where.join(' AND ')}`;
    const rows = this.db.sql
      .prepare(`SELECT ${INSTANCE_COLUMNS} FROM outgoing_instances ${w} ORDER BY seq LIMIT ? OFFSET ?`)
      .all(...args, o.limit, o.offset) as OutgoingInstance[];
    const total = (this.db.sql.prepare(`SELECT COUNT(*) AS n FROM outgoing_instances ${w}`).get(...args) as { n: number }).n;
    return { rows, total };
  }

  /** Requests per state and instances per outcome, over everything. */
  totals(): { requests: Record<string, number>; instances: { total: number; committed: number; failed: number; pending: number } } {
    const byState = this.db.sql.prepare(`SELECT state, COUNT(*) AS n FROM outgoing GROUP BY state`).all() as { state: string; n: number }[];
    const i = this.db.sql
      .prepare(`SELECT COALESCE(SUM(instance_count), 0) AS total, COALESCE(SUM(committed_count), 0) AS committed, COALESCE(SUM(failed_count), 0) AS failed FROM outgoing`)
      .get() as { total: number; committed: number; failed: number };
    return { requests: Object.fromEntries(byState.map((r) => [r.state, r.n])), instances: { ...i, pending: i.total - i.committed - i.failed } };
  }
}

function toRequest(row: RequestRow): OutgoingRequest {
  return { ...row, previousUids: JSON.parse(row.previousUids) as string[] };
}
