import type { RequestForm } from '../../../src-shared/commitment/model';
import { ACTIVE_STATES, type OutgoingInstance, type OutgoingRequest, type OutgoingState } from '../../../src-shared/outgoing';
import type { Db } from './db';
import { NotFoundError } from './not-found';
import type { OutgoingStore } from './ports';
import type { InstanceResult, PlannedInstance, PlannedRequest, RequestPatch } from '../engine/model/outgoing';
import { VerdictWriter } from './verdict-writer';

export type { InstanceResult, PlannedInstance, PlannedRequest, RequestPatch };

/** An OutgoingRequest (quoted aliases: PostgreSQL keeps their case too). */
export const REQUEST_COLUMNS = `id, job_id AS "jobId", remote_id AS "remoteId", remote_name AS "remoteName", transaction_uid AS "transactionUid",
  previous_uids AS "previousUids", state, form, study_uid AS "studyUid", label, instance_count AS "instanceCount",
  committed_count AS "committedCount", failed_count AS "failedCount", created_at AS "createdAt", sent_at AS "sentAt",
  working_since AS "workingSince", last_contact_at AS "lastContactAt", next_attempt_at AS "nextAttemptAt",
  completed_at AS "completedAt", attempts, polls, protocol, status, error, proxy_for AS "proxyFor",
  lease_owner AS "leaseOwner", lease_until AS "leaseUntil",
  (SELECT label FROM jobs WHERE jobs.id = outgoing.job_id) AS "jobLabel"`;

/** An OutgoingInstance. */
export const INSTANCE_COLUMNS = `request_id AS "requestId", seq, sop_class_uid AS "sopClassUid", sop_instance_uid AS "sopInstanceUid",
  study_uid AS "studyUid", series_uid AS "seriesUid", file_path AS "filePath", outcome, failure_reason AS "failureReason",
  detail, updated_at AS "updatedAt"`;

/** A PlannedInstance, from an outgoing_instances row. */
export const PLANNED_COLUMNS = `sop_class_uid AS "sopClassUid", sop_instance_uid AS "sopInstanceUid", study_uid AS "studyUid", series_uid AS "seriesUid",
  file_path AS "filePath", file_size AS "fileSize", file_mtime_ms AS "fileMtimeMs", patient_id AS "patientId",
  accession_number AS "accessionNumber", study_date AS "studyDate"`;

export type RequestRow = Omit<OutgoingRequest, 'previousUids'> & { previousUids: string };

/** Fields of a request the engine may change, mapped to their columns. */
export const PATCHABLE = {
  state: 'state',
  transactionUid: 'transaction_uid',
  sentAt: 'sent_at',
  workingSince: 'working_since',
  lastContactAt: 'last_contact_at',
  nextAttemptAt: 'next_attempt_at',
  completedAt: 'completed_at',
  attempts: 'attempts',
  polls: 'polls',
  status: 'status',
  error: 'error',
  rawResponse: 'raw_response',
} as const satisfies Record<keyof RequestPatch, string>;

type Guard = readonly OutgoingState[] | undefined;

/**
 * Outgoing commitment requests and each instance's outcome, in SQLite. Everything is written before it is
 * sent or announced; each method is one transaction, and a guarded one (`ifState`) checks the request's
 * state inside it.
 */
export class OutgoingRepo implements OutgoingStore {
  private readonly verdicts: VerdictWriter;

  constructor(private readonly db: Db) {
    this.verdicts = new VerdictWriter(db);
  }

  /** Persists a job and all its requests (with every instance pending) in one transaction, before anything is sent. */
  async createJob(o: { remoteId: number; remoteName: string; label: string; form: RequestForm; requests: PlannedRequest[]; now: number }): Promise<{
    jobId: number;
    requestIds: number[];
  }> {
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
          // A request goes by its remote's protocol (a deleted remote cannot get new requests).
          `INSERT INTO outgoing (job_id, remote_id, remote_name, transaction_uid, state, form, study_uid, label, instance_count, created_at, next_attempt_at, proxy_for, follow_up_of, protocol)
           VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, COALESCE((SELECT kind FROM remotes WHERE id = ?), 'dicomweb'))`,
        )
        .run(jobId, remoteId, remoteName, r.transactionUid, r.form, r.studyUid, r.label, r.instances.length, now, now, r.proxyFor ?? null, r.followUpOf ?? null, remoteId)
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
  async createSingle(remoteId: number, remoteName: string, r: PlannedRequest, now: number): Promise<number> {
    return this.db.tx(() => this.insertRequest(null, remoteId, remoteName, r, now));
  }

  /** Removes a request that was never accepted (a proxy whose upstream refused at once). */
  async deleteRequest(id: number): Promise<void> {
    this.db.tx(() => {
      this.db.sql.prepare(`DELETE FROM outgoing_instances WHERE request_id = ?`).run(id);
      this.db.sql.prepare(`DELETE FROM outgoing WHERE id = ?`).run(id);
    });
  }

  async findByProxyFor(incomingUid: string): Promise<OutgoingRequest | undefined> {
    const row = this.db.sql.prepare(`SELECT ${REQUEST_COLUMNS} FROM outgoing WHERE proxy_for = ? ORDER BY id DESC LIMIT 1`).get(incomingUid) as
      | RequestRow
      | undefined;
    return row ? toRequest(row) : undefined;
  }

  /** A new request (same job, same remote) for the given instances of an earlier one: "resend". */
  async createFollowUp(from: OutgoingRequest, r: PlannedRequest, now: number): Promise<number> {
    return this.db.tx(() => this.insertRequest(from.jobId, from.remoteId, from.remoteName, { ...r, followUpOf: from.id }, now));
  }

  async get(id: number): Promise<OutgoingRequest> {
    return this.getNow(id);
  }

  private getNow(id: number): OutgoingRequest {
    const row = this.db.sql.prepare(`SELECT ${REQUEST_COLUMNS} FROM outgoing WHERE id = ?`).get(id) as RequestRow | undefined;
    if (!row) throw new NotFoundError('outgoing request', id, `No outgoing request ${id}`);
    return toRequest(row);
  }

  async findByUid(transactionUid: string): Promise<OutgoingRequest | undefined> {
    const row = this.db.sql
      .prepare(`SELECT ${REQUEST_COLUMNS} FROM outgoing WHERE transaction_uid = ? OR previous_uids LIKE ?`)
      .get(transactionUid, `%"${transactionUid}"%`) as RequestRow | undefined;
    return row ? toRequest(row) : undefined;
  }

  async rawResponse(id: number): Promise<string | null> {
    const row = this.db.sql.prepare(`SELECT raw_response AS r FROM outgoing WHERE id = ?`).get(id) as { r: string | null } | undefined;
    return row?.r ?? null;
  }

  async patch(id: number, p: RequestPatch, ifState?: readonly OutgoingState[]): Promise<boolean> {
    return this.patchNow(id, p, ifState);
  }

  private patchNow(id: number, p: RequestPatch, ifState?: Guard): boolean {
    const keys = Object.keys(p) as (keyof typeof PATCHABLE)[];
    if (keys.length === 0) return true;
    const sets = keys.map((k) => `${PATCHABLE[k]} = ?`).join(', ');
    const args = keys.map((k) => p[k] ?? null);
    if (!ifState) return this.db.sql.prepare(`UPDATE outgoing SET ${sets} WHERE id = ?`).run(...args, id).changes > 0;
    return (
      this.db.sql.prepare(`UPDATE outgoing SET ${sets} WHERE id = ? AND state IN (SELECT value FROM json_each(?))`).run(...args, id, JSON.stringify(ifState))
        .changes > 0
    );
  }

  /** True when there is no guard, or the request is in one of its states now. */
  private passes(id: number, ifState: Guard): boolean {
    if (!ifState) return true;
    const row = this.db.sql.prepare(`SELECT state FROM outgoing WHERE id = ?`).get(id) as { state: OutgoingState } | undefined;
    return row !== undefined && ifState.includes(row.state);
  }

  /** Moves to a new Transaction UID (after 409), remembering the old one. */
  async changeUid(id: number, newUid: string, patch: RequestPatch, ifState?: readonly OutgoingState[]): Promise<boolean> {
    return this.db.tx(() => this.passes(id, ifState) && this.changeUidNow(id, newUid, patch));
  }

  private changeUidNow(id: number, newUid: string, patch: RequestPatch): true {
    const r = this.getNow(id);
    this.db.sql
      .prepare(`UPDATE outgoing SET transaction_uid = ?, previous_uids = ? WHERE id = ?`)
      .run(newUid, JSON.stringify([...r.previousUids, r.transactionUid]), id);
    this.verdicts.renamed(id, newUid);
    this.patchNow(id, patch);
    return true;
  }

  /** Instances of a request, in order (for building its payload and checking the answer). */
  async instancesOf(id: number): Promise<OutgoingInstance[]> {
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
  async complete(id: number, results: readonly InstanceResult[], patch: RequestPatch, now: number, ifState?: readonly OutgoingState[]): Promise<boolean> {
    return this.db.tx(() => {
      if (!this.passes(id, ifState)) return false;
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
      this.patchNow(id, patch);
      return true;
    });
  }

  /** Marks every still-pending instance failed with an explanation (request refused, lost, timed out...). */
  async failPending(
    id: number,
    detail: string,
    patch: RequestPatch,
    now: number,
    failureReason: number | null = null,
    ifState?: readonly OutgoingState[],
  ): Promise<boolean> {
    return this.db.tx(() => {
      if (!this.passes(id, ifState)) return false;
      this.verdicts.pendingFailed(id, { outcome: 'failed', failureReason, detail }, now);
      this.db.sql
        .prepare(`UPDATE outgoing_instances SET outcome = 'failed', failure_reason = ?, detail = ?, updated_at = ? WHERE request_id = ? AND outcome = 'pending'`)
        .run(failureReason, detail, now, id);
      this.recount(id);
      this.patchNow(id, patch);
      return true;
    });
  }

  /** Back to pending for a resend under a new Transaction UID, in `state` (the lifecycle's word for a resend: queued). */
  async reset(id: number, newUid: string, now: number, ifState?: readonly OutgoingState[], state: OutgoingState = 'queued'): Promise<boolean> {
    return this.db.tx(() => {
      if (!this.passes(id, ifState)) return false;
      this.db.sql
        .prepare(`UPDATE outgoing_instances SET outcome = 'pending', failure_reason = NULL, detail = NULL, updated_at = ? WHERE request_id = ?`)
        .run(now, id);
      this.recount(id);
      this.changeUidNow(id, newUid, resetPatch(state, now));
      this.verdicts.request(id, now);
      return true;
    });
  }

  /** The instances of a finished request that were not committed, as planned (for a follow-up request). */
  async notCommitted(id: number): Promise<PlannedInstance[]> {
    return this.db.sql
      .prepare(
        `SELECT ${PLANNED_COLUMNS} FROM outgoing_instances WHERE request_id = ? AND outcome <> 'committed' ORDER BY seq`,
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
  async active(): Promise<OutgoingRequest[]> {
    return (
      this.db.sql
        .prepare(`SELECT ${REQUEST_COLUMNS} FROM outgoing WHERE state IN (${ACTIVE_STATES.map(() => '?').join(', ')}) ORDER BY id`)
        .all(...ACTIVE_STATES) as RequestRow[]
    ).map(toRequest);
  }

  async list(o: { limit: number; offset: number; jobId?: number; state?: OutgoingState; remoteId?: number }): Promise<{ rows: OutgoingRequest[]; total: number }> {
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

  async instances(
    id: number,
    o: { limit: number; offset: number; outcome?: string; failureReason?: number },
  ): Promise<{ rows: OutgoingInstance[]; total: number }> {
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
  async totals(): Promise<{ requests: Record<string, number>; instances: { total: number; committed: number; failed: number; pending: number } }> {
    const byState = this.db.sql.prepare(`SELECT state, COUNT(*) AS n FROM outgoing GROUP BY state`).all() as { state: string; n: number }[];
    const i = this.db.sql
      .prepare(`SELECT COALESCE(SUM(instance_count), 0) AS total, COALESCE(SUM(committed_count), 0) AS committed, COALESCE(SUM(failed_count), 0) AS failed FROM outgoing`)
      .get() as { total: number; committed: number; failed: number };
    return { requests: Object.fromEntries(byState.map((r) => [r.state, r.n])), instances: { ...i, pending: i.total - i.committed - i.failed } };
  }
}

export function toRequest(row: RequestRow): OutgoingRequest {
  return { ...row, previousUids: JSON.parse(row.previousUids) as string[] };
}

/** What a reset for a resend writes on the request (both stores): back to `state`, due now, nothing of the last try. */
export function resetPatch(state: OutgoingState, now: number): RequestPatch {
  return { state, nextAttemptAt: now, attempts: 0, polls: 0, error: null, status: null, sentAt: null, workingSince: null, completedAt: null, rawResponse: null };
}
