import type { CommitmentResult, FailedInstance, RequestedInstance } from '../../../../src-shared/commitment/model';
import type { IncomingInstance, IncomingTransaction } from '../../../../src-shared/transactions';
import { INCOMING_INSTANCE_COLUMNS, reportUpdate, TX_COLUMNS } from '../incoming-repo';
import type { IncomingStore } from '../ports';
import type { CreateIncomingOutcome, Decision, IncomingLimits, IncomingLoad, NewIncoming, PendingInstance, ReportDelivery, ReportMeta } from '../../incoming/model/transaction';
import { LOCKS, type PgDb, type PgTx } from './db';
import { isUniqueViolation } from './errors';
import { chunks, whereOf } from './sql';

/** Rows per INSERT of a transaction's instances (arrays of this many values per column). */
const INSERT_CHUNK = 20_000;

const LOAD = `SELECT COUNT(*) AS working, COALESCE(SUM(instance_count - committed_count - failed_count), 0) AS pending FROM incoming WHERE state = 'working'`;

type InstanceRow = Pick<IncomingInstance, 'seq' | 'sopClassUid' | 'sopInstanceUid' | 'form' | 'studyUid' | 'seriesUid' | 'outcome' | 'failureReason'>;

/** Incoming commitment transactions (DICOMweb and DIMSE) and each instance's outcome, in PostgreSQL. */
export class PgIncomingRepo implements IncomingStore {
  constructor(private readonly db: PgDb) {}

  /**
   * Stores a new Working transaction with every instance pending, unless its UID is taken (the primary key
   * decides between nodes: the second insert waits for the first and fails) or, with `limits`, too much is
   * being decided (checked under a lock, so that two nodes cannot both pass the last free place).
   */
  async create(t: NewIncoming, o: { limits?: IncomingLimits; report?: ReportMeta } = {}): Promise<CreateIncomingOutcome> {
    try {
      return await this.db.tx(async (x): Promise<CreateIncomingOutcome> => {
        if (o.limits) await x.lock(LOCKS.incoming);
        if (await x.row(`SELECT 1 AS x FROM incoming WHERE transaction_uid = ?`, [t.transactionUid])) return { created: false, why: 'duplicate' };
        if (o.limits) {
          const load = (await x.row<IncomingLoad>(LOAD))!;
          if (load.working >= o.limits.maxWorking || load.pending + t.instances.length > o.limits.maxPending) return { created: false, why: 'busy', load };
        }
        await x.run(
          `INSERT INTO incoming (transaction_uid, source, client, requester, state, media_type, policy, instance_count, received_at)
           VALUES (?, ?, ?, ?, 'working', ?, ?, ?, ?)`,
          [t.transactionUid, t.source, t.client, t.requester, t.mediaType, t.policy, t.instances.length, t.receivedAt],
        );
        for (const [offset, part] of chunks(t.instances, INSERT_CHUNK)) {
          await x.run(
            `INSERT INTO incoming_instances (transaction_uid, seq, sop_class_uid, sop_instance_uid, form, study_uid, series_uid)
             SELECT ?, n - 1 + ?, c, i, f, st, se FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS u(c, i, f, st, se, n)`,
            [
              t.transactionUid,
              offset,
              part.map((i) => i.sopClassUid),
              part.map((i) => i.sopInstanceUid),
              part.map((i) => i.form),
              part.map((i) => i.studyUid ?? null),
              part.map((i) => i.seriesUid ?? null),
            ],
          );
        }
        if (o.report) await setReport(x, t.transactionUid, { state: 'pending', attempts: 0, meta: o.report });
        return { created: true };
      });
    } catch (e) {
      if (isUniqueViolation(e, 'incoming_pkey')) return { created: false, why: 'duplicate' };
      throw e;
    }
  }

  async delete(transactionUid: string): Promise<void> {
    await this.db.tx(async (t) => {
      await t.run(`DELETE FROM incoming_instances WHERE transaction_uid = ?`, [transactionUid]);
      await t.run(`DELETE FROM incoming WHERE transaction_uid = ?`, [transactionUid]);
    });
  }

  async setReport(transactionUid: string, r: ReportDelivery): Promise<void> {
    await this.db.tx((t) => setReport(t, transactionUid, r));
  }

  async reportMeta(transactionUid: string): Promise<ReportMeta | null> {
    const row = await this.db.row<{ m: string | null }>(`SELECT report_meta AS m FROM incoming WHERE transaction_uid = ?`, [transactionUid]);
    return row?.m ? (JSON.parse(row.m) as ReportMeta) : null;
  }

  async reportsDue(now: number): Promise<{ uid: string; nextAt: number | null }[]> {
    return this.db.rows(
      `SELECT transaction_uid AS uid, report_next_at AS "nextAt" FROM incoming
       WHERE source = 'dimse' AND state = 'done' AND report_state IN ('pending', 'retrying') AND COALESCE(report_next_at, 0) <= ?`,
      [now],
    );
  }

  async nextReportAt(): Promise<number | null> {
    return (await this.db.row<{ t: number | null }>(`SELECT MIN(report_next_at) AS t FROM incoming WHERE source = 'dimse' AND state = 'done' AND report_state = 'retrying'`))!.t;
  }

  async get(transactionUid: string): Promise<IncomingTransaction | undefined> {
    return this.db.row(`SELECT ${TX_COLUMNS} FROM incoming WHERE transaction_uid = ?`, [transactionUid]);
  }

  async pendingInstances(transactionUid: string): Promise<PendingInstance[]> {
    return (await this.instanceRows(transactionUid, `AND outcome = 'pending'`)).map(toPending);
  }

  private instanceRows(transactionUid: string, where = ''): Promise<InstanceRow[]> {
    return this.db.rows(`SELECT ${INCOMING_INSTANCE_COLUMNS} FROM incoming_instances WHERE transaction_uid = ? ${where} ORDER BY seq`, [transactionUid]);
  }

  /**
   * Stores outcomes in one statement; instances already decided are left as they are (also when another
   * node decides them at the same time: the row lock makes the second update see they are no longer pending).
   */
  async recordDecisions(transactionUid: string, decisions: readonly Decision[], now: number): Promise<number> {
    const first = new Map<number, Decision>();
    for (const d of decisions) if (!first.has(d.seq)) first.set(d.seq, d);
    if (first.size === 0) return 0;
    const list = [...first.values()];
    return this.db.tx(async (t) => {
      const changed = await t.returning<{ outcome: 'committed' | 'failed' }>(
        `UPDATE incoming_instances i SET outcome = u.outcome, failure_reason = u.reason, detail = u.detail, decided_at = ?
         FROM unnest(?::int[], ?::text[], ?::int[], ?::text[]) AS u(seq, outcome, reason, detail)
         WHERE i.transaction_uid = ? AND i.seq = u.seq AND i.outcome = 'pending'
         RETURNING i.outcome`,
        [
          now,
          list.map((d) => d.seq),
          list.map((d) => d.outcome),
          list.map((d) => (d.outcome === 'failed' ? (d.failureReason ?? 0x0110) : null)),
          list.map((d) => d.detail ?? null),
          transactionUid,
        ],
      );
      const committed = changed.filter((c) => c.outcome === 'committed').length;
      const failed = changed.length - committed;
      if (changed.length > 0) {
        await t.run(`UPDATE incoming SET committed_count = committed_count + ?, failed_count = failed_count + ? WHERE transaction_uid = ?`, [committed, failed, transactionUid]);
      }
      return changed.length;
    });
  }

  async complete(transactionUid: string, now: number, expiresAt: number): Promise<void> {
    await this.db.run(`UPDATE incoming SET state = 'done', completed_at = ?, expires_at = ? WHERE transaction_uid = ? AND state = 'working'`, [now, expiresAt, transactionUid]);
  }

  async result(transactionUid: string): Promise<CommitmentResult> {
    const committed: RequestedInstance[] = [];
    const failed: FailedInstance[] = [];
    for (const row of await this.instanceRows(transactionUid)) {
      const i = toPending(row);
      if (row.outcome === 'committed') committed.push(i);
      else if (row.outcome === 'failed') failed.push({ ...i, failureReason: row.failureReason ?? 0x0110 });
    }
    return { committed, failed };
  }

  async workingTransactions(): Promise<string[]> {
    return (await this.db.rows<{ uid: string }>(`SELECT transaction_uid AS uid FROM incoming WHERE state = 'working' ORDER BY received_at`)).map((r) => r.uid);
  }

  async load(): Promise<IncomingLoad> {
    return (await this.db.row<IncomingLoad>(LOAD))!;
  }

  async applyRetention(now: number, tombstoneMs: number): Promise<{ expired: number; forgotten: number }> {
    return this.db.tx(async (t) => {
      const due = await t.returning<{ uid: string }>(
        `UPDATE incoming SET state = 'expired', forget_at = ? WHERE state = 'done' AND expires_at <= ? RETURNING transaction_uid AS uid`,
        [now + tombstoneMs, now],
      );
      if (due.length > 0) await t.run(`DELETE FROM incoming_instances WHERE transaction_uid = ANY(?::text[])`, [due.map((d) => d.uid)]);
      const forgotten = await t.run(`DELETE FROM incoming WHERE state = 'expired' AND forget_at <= ?`, [now]);
      return { expired: due.length, forgotten };
    });
  }

  async list(o: { limit: number; offset: number; state?: string; source?: string }): Promise<{ rows: IncomingTransaction[]; total: number }> {
    const w = whereOf({ state: o.state || undefined, source: o.source || undefined });
    const rows = await this.db.rows<IncomingTransaction>(`SELECT ${TX_COLUMNS} FROM incoming ${w.sql} ORDER BY received_at DESC, transaction_uid LIMIT ? OFFSET ?`, [
      ...w.args,
      o.limit,
      o.offset,
    ]);
    return { rows, total: (await this.db.row<{ n: number }>(`SELECT COUNT(*) AS n FROM incoming ${w.sql}`, w.args))!.n };
  }

  async instances(
    transactionUid: string,
    o: { limit: number; offset: number; outcome?: string; failureReason?: number },
  ): Promise<{ rows: IncomingInstance[]; total: number }> {
    const w = whereOf({ transaction_uid: transactionUid, outcome: o.outcome || undefined, failure_reason: o.failureReason });
    const rows = await this.db.rows<IncomingInstance>(`SELECT ${INCOMING_INSTANCE_COLUMNS} FROM incoming_instances ${w.sql} ORDER BY seq LIMIT ? OFFSET ?`, [
      ...w.args,
      o.limit,
      o.offset,
    ]);
    return { rows, total: (await this.db.row<{ n: number }>(`SELECT COUNT(*) AS n FROM incoming_instances ${w.sql}`, w.args))!.n };
  }
}

async function setReport(t: PgTx, transactionUid: string, r: ReportDelivery): Promise<void> {
  const u = reportUpdate(transactionUid, r);
  await t.run(u.sql, u.args);
}

function toRequested(r: InstanceRow): RequestedInstance {
  const out: RequestedInstance = { sopClassUid: r.sopClassUid, sopInstanceUid: r.sopInstanceUid, form: r.form };
  if (r.studyUid) out.studyUid = r.studyUid;
  if (r.seriesUid) out.seriesUid = r.seriesUid;
  return out;
}

function toPending(r: InstanceRow): PendingInstance {
  return { seq: r.seq, ...toRequested(r) };
}
