import type { CommitmentResult, FailedInstance, RequestForm, RequestedInstance } from '../../../src-shared/commitment/model';
import type { IncomingInstance, IncomingTransaction } from '../../../src-shared/transactions';
import type { Db } from './db';
import type { IncomingStore } from './ports';
import type { CreateIncomingOutcome, Decision, IncomingLimits, IncomingLoad, NewIncoming, PendingInstance, ReportDelivery, ReportMeta } from '../incoming/model/transaction';

export type { Decision, NewIncoming, PendingInstance, ReportMeta };

/** An IncomingTransaction (quoted aliases: PostgreSQL keeps their case too). */
export const TX_COLUMNS = `transaction_uid AS "transactionUid", source, client, requester, state, media_type AS "mediaType", policy,
  instance_count AS "instanceCount", committed_count AS "committedCount", failed_count AS "failedCount",
  received_at AS "receivedAt", completed_at AS "completedAt", expires_at AS "expiresAt",
  report_state AS "reportState", report_attempts AS "reportAttempts", report_error AS "reportError"`;

/** An IncomingInstance. */
export const INCOMING_INSTANCE_COLUMNS = `seq, sop_class_uid AS "sopClassUid", sop_instance_uid AS "sopInstanceUid", form, study_uid AS "studyUid",
  series_uid AS "seriesUid", outcome, failure_reason AS "failureReason", detail, decided_at AS "decidedAt"`;

function statements(db: Db) {
  const p = (sql: string) => db.sql.prepare(sql);
  return {
    exists: p(`SELECT 1 FROM incoming WHERE transaction_uid = ?`),
    insertTx: p(`INSERT INTO incoming (transaction_uid, source, client, requester, state, media_type, policy, instance_count, received_at)
      VALUES (?, ?, ?, ?, 'working', ?, ?, ?, ?)`),
    // Bulk statements take their rows as one JSON array: one call into SQLite for 100,000 rows.
    insertInstances: p(`INSERT INTO incoming_instances (transaction_uid, seq, sop_class_uid, sop_instance_uid, form, study_uid, series_uid)
      SELECT ?, key, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
        json_extract(value, '$[3]'), json_extract(value, '$[4]')
      FROM json_each(?)`),
    get: p(`SELECT ${TX_COLUMNS} FROM incoming WHERE transaction_uid = ?`),
    pending: p(`SELECT json_group_array(json_array(seq, sop_class_uid, sop_instance_uid, form, study_uid, series_uid)) AS rows
      FROM (SELECT * FROM incoming_instances WHERE transaction_uid = ? AND outcome = 'pending' ORDER BY seq)`),
    // Row by row on purpose: an UPDATE ... FROM json_each() lets SQLite scan the whole transaction per chunk.
    decide: p(`UPDATE incoming_instances SET outcome = ?, failure_reason = ?, detail = ?, decided_at = ?
      WHERE transaction_uid = ? AND seq = ? AND outcome = 'pending'`),
    addCounts: p(`UPDATE incoming SET committed_count = committed_count + ?, failed_count = failed_count + ? WHERE transaction_uid = ?`),
    complete: p(`UPDATE incoming SET state = 'done', completed_at = ?, expires_at = ? WHERE transaction_uid = ? AND state = 'working'`),
    all: p(`SELECT json_group_array(json_array(seq, sop_class_uid, sop_instance_uid, form, study_uid, series_uid, outcome, failure_reason)) AS rows
      FROM (SELECT * FROM incoming_instances WHERE transaction_uid = ? ORDER BY seq)`),
    working: p(`SELECT transaction_uid AS uid FROM incoming WHERE state = 'working' ORDER BY received_at`),
    load: p(`SELECT COUNT(*) AS working, COALESCE(SUM(instance_count - committed_count - failed_count), 0) AS pending
      FROM incoming WHERE state = 'working'`),
  };
}

/** Incoming commitment transactions (DICOMweb and DIMSE) and each instance's outcome, in SQLite. */
export class IncomingRepo implements IncomingStore {
  private readonly stmt: ReturnType<typeof statements>;

  constructor(private readonly db: Db) {
    this.stmt = statements(db);
  }

  /**
   * Persists a new Working transaction with every instance pending, in the same transaction as the checks
   * that may refuse it: its UID taken (first), or more being decided than `limits` allow.
   */
  async create(t: NewIncoming, o: { limits?: IncomingLimits; report?: ReportMeta } = {}): Promise<CreateIncomingOutcome> {
    return this.db.tx((): CreateIncomingOutcome => {
      if (this.stmt.exists.get(t.transactionUid) !== undefined) return { created: false, why: 'duplicate' };
      if (o.limits) {
        const load = this.stmt.load.get() as IncomingLoad;
        if (load.working >= o.limits.maxWorking || load.pending + t.instances.length > o.limits.maxPending) return { created: false, why: 'busy', load };
      }
      this.stmt.insertTx.run(t.transactionUid, t.source, t.client, t.requester, t.mediaType, t.policy, t.instances.length, t.receivedAt);
      const rows = t.instances.map((i) => [i.sopClassUid, i.sopInstanceUid, i.form, i.studyUid ?? null, i.seriesUid ?? null]);
      this.stmt.insertInstances.run(t.transactionUid, JSON.stringify(rows));
      if (o.report) this.setReportNow(t.transactionUid, { state: 'pending', attempts: 0, meta: o.report });
      return { created: true };
    });
  }

  /** Forgets a transaction that was never acknowledged (its upstream refused it before the answer). */
  async delete(transactionUid: string): Promise<void> {
    this.db.tx(() => {
      this.db.sql.prepare(`DELETE FROM incoming_instances WHERE transaction_uid = ?`).run(transactionUid);
      this.db.sql.prepare(`DELETE FROM incoming WHERE transaction_uid = ?`).run(transactionUid);
    });
  }

  /** DIMSE: where and how the N-EVENT-REPORT goes, and how its delivery went. */
  async setReport(transactionUid: string, r: ReportDelivery): Promise<void> {
    this.setReportNow(transactionUid, r);
  }

  private setReportNow(transactionUid: string, r: ReportDelivery): void {
    const u = reportUpdate(transactionUid, r);
    this.db.sql.prepare(u.sql).run(...u.args);
  }

  async reportMeta(transactionUid: string): Promise<ReportMeta | null> {
    const row = this.db.sql.prepare(`SELECT report_meta AS m FROM incoming WHERE transaction_uid = ?`).get(transactionUid) as { m: string | null } | undefined;
    return row?.m ? (JSON.parse(row.m) as ReportMeta) : null;
  }

  /** Finished DIMSE transactions whose report still has to go out (after a restart too). */
  async reportsDue(now: number): Promise<{ uid: string; nextAt: number | null }[]> {
    return this.db.sql
      .prepare(
        `SELECT transaction_uid AS uid, report_next_at AS nextAt FROM incoming
         WHERE source = 'dimse' AND state = 'done' AND report_state IN ('pending', 'retrying') AND COALESCE(report_next_at, 0) <= ?`,
      )
      .all(now) as { uid: string; nextAt: number | null }[];
  }

  async nextReportAt(): Promise<number | null> {
    const row = this.db.sql
      .prepare(`SELECT MIN(report_next_at) AS t FROM incoming WHERE source = 'dimse' AND state = 'done' AND report_state = 'retrying'`)
      .get() as { t: number | null };
    return row.t;
  }

  async get(transactionUid: string): Promise<IncomingTransaction | undefined> {
    return this.stmt.get.get(transactionUid) as IncomingTransaction | undefined;
  }

  async pendingInstances(transactionUid: string): Promise<PendingInstance[]> {
    return (JSON.parse((this.stmt.pending.get(transactionUid) as { rows: string }).rows) as InstanceRow[]).map(toInstance);
  }

  /** Stores outcomes; instances already decided are left as they are. Returns how many changed. */
  async recordDecisions(transactionUid: string, decisions: readonly Decision[], now: number): Promise<number> {
    return this.db.tx(() => {
      let committed = 0;
      let failed = 0;
      for (const d of decisions) {
        const reason = d.outcome === 'failed' ? (d.failureReason ?? 0x0110) : null;
        if (this.stmt.decide.run(d.outcome, reason, d.detail ?? null, now, transactionUid, d.seq).changes > 0) {
          if (d.outcome === 'committed') committed++;
          else failed++;
        }
      }
      if (committed + failed > 0) this.stmt.addCounts.run(committed, failed, transactionUid);
      return committed + failed;
    });
  }

  async complete(transactionUid: string, now: number, expiresAt: number): Promise<void> {
    this.stmt.complete.run(now, expiresAt, transactionUid);
  }

  /** The outcome of every instance, in request order, as a Storage Commitment result. */
  async result(transactionUid: string): Promise<CommitmentResult> {
    const committed: RequestedInstance[] = [];
    const failed: FailedInstance[] = [];
    for (const row of JSON.parse((this.stmt.all.get(transactionUid) as { rows: string }).rows) as ResultRow[]) {
      const i = toInstance(row);
      if (row[6] === 'committed') committed.push(i);
      else if (row[6] === 'failed') failed.push({ ...i, failureReason: row[7] ?? 0x0110 });
    }
    return { committed, failed };
  }

  async workingTransactions(): Promise<string[]> {
    return (this.stmt.working.all() as { uid: string }[]).map((r) => r.uid);
  }

  /** Current load, for back-pressure. */
  async load(): Promise<IncomingLoad> {
    return this.stmt.load.get() as IncomingLoad;
  }

  /**
   * Retention: results past `expires_at` become tombstones (their instances are
   * deleted; the UID answers 410), tombstones past `forget_at` are forgotten (404).
   */
  async applyRetention(now: number, tombstoneMs: number): Promise<{ expired: number; forgotten: number }> {
    return this.db.tx(() => {
      const due = this.db.sql
        .prepare(`SELECT transaction_uid AS uid FROM incoming WHERE state = 'done' AND expires_at <= ?`)
        .all(now) as { uid: string }[];
      for (const d of due) {
        this.db.sql.prepare(`DELETE FROM incoming_instances WHERE transaction_uid = ?`).run(d.uid);
        this.db.sql
          .prepare(`UPDATE incoming SET state = 'expired', forget_at = ? WHERE transaction_uid = ?`)
          .run(now + tombstoneMs, d.uid);
      }
      const forgotten = this.db.sql.prepare(`DELETE FROM incoming WHERE state = 'expired' AND forget_at <= ?`).run(now).changes;
      return { expired: due.length, forgotten };
    });
  }

  async list(o: { limit: number; offset: number; state?: string; source?: string }): Promise<{ rows: IncomingTransaction[]; total: number }> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (o.state) {
      where.push('state = ?');
      args.push(o.state);
    }
    if (o.source) {
      where.push('source = ?');
      args.push(o.source);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.db.sql
      .prepare(`SELECT ${TX_COLUMNS} FROM incoming ${w} ORDER BY received_at DESC, transaction_uid LIMIT ? OFFSET ?`)
      .all(...args, o.limit, o.offset) as IncomingTransaction[];
    const total = (this.db.sql.prepare(`SELECT COUNT(*) AS n FROM incoming ${w}`).get(...args) as { n: number }).n;
    return { rows, total };
  }

  async instances(
    transactionUid: string,
    o: { limit: number; offset: number; outcome?: string; failureReason?: number },
  ): Promise<{ rows: IncomingInstance[]; total: number }> {
    const where = ['transaction_uid = ?'];
    const args: unknown[] = [transactionUid];
    if (o.outcome) {
      where.push('outcome = ?');
      args.push(o.outcome);
    }
    if (o.failureReason !== undefined) {
      where.push('failure_reason = ?');
      args.push(o.failureReason);
    }
    const w = `WHERE ${where.join(' AND ')}`;
    const rows = this.db.sql
      .prepare(
        `SELECT ${INCOMING_INSTANCE_COLUMNS} FROM incoming_instances ${w} ORDER BY seq LIMIT ? OFFSET ?`,
      )
      .all(...args, o.limit, o.offset) as IncomingInstance[];
    const total = (this.db.sql.prepare(`SELECT COUNT(*) AS n FROM incoming_instances ${w}`).get(...args) as { n: number }).n;
    return { rows, total };
  }
}

/** [seq, sopClassUid, sopInstanceUid, form, studyUid, seriesUid] as the bulk queries return them. */
type InstanceRow = [number, string, string, RequestForm, string | null, string | null];
type ResultRow = [...InstanceRow, string, number | null];

function toInstance(r: InstanceRow | ResultRow): PendingInstance {
  const out: PendingInstance = { seq: r[0], sopClassUid: r[1], sopInstanceUid: r[2], form: r[3] };
  if (r[4]) out.studyUid = r[4];
  if (r[5]) out.seriesUid = r[5];
  return out;
}

/** The UPDATE of a transaction's report delivery (both stores): the fields given, and its arguments. */
export function reportUpdate(transactionUid: string, r: ReportDelivery): { sql: string; args: unknown[] } {
  const sets = ['report_state = ?'];
  const args: unknown[] = [r.state];
  if (r.attempts !== undefined) (sets.push('report_attempts = ?'), args.push(r.attempts));
  if (r.error !== undefined) (sets.push('report_error = ?'), args.push(r.error));
  if (r.nextAt !== undefined) (sets.push('report_next_at = ?'), args.push(r.nextAt));
  if (r.meta !== undefined) (sets.push('report_meta = ?'), args.push(JSON.stringify(r.meta)));
  return { sql: `UPDATE incoming SET ${sets.join(', ')} WHERE transaction_uid = ?`, args: [...args, transactionUid] };
}
