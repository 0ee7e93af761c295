import type { RequestForm } from '../../../../src-shared/commitment/model';
import { ACTIVE_STATES, type OutgoingInstance, type OutgoingRequest, type OutgoingState } from '../../../../src-shared/outgoing';
import { INSTANCE_COLUMNS, PATCHABLE, PLANNED_COLUMNS, REQUEST_COLUMNS, resetPatch, toRequest, type RequestRow } from '../outgoing-repo';
import { NotFoundError } from '../not-found';
import type { OutgoingStore } from '../ports';
import type { InstanceResult, PlannedInstance, PlannedRequest, RequestPatch } from '../../engine/model/outgoing';
import type { PgDb, PgTx } from './db';
import { insertRequests } from './outgoing-insert';
import { whereOf } from './sql';
import { pgVerdicts } from './verdicts';

type Guard = readonly OutgoingState[] | undefined;

/**
 * A job this large changes the tables' sizes at once: their statistics are brought up to date before the
 * reports read them (autovacuum would, a while later; until then the planner takes the verdicts for a few
 * rows and sorts every one of them for each batch of a report).
 */
const ANALYZE_AFTER = 10_000;
type Reader = Pick<PgTx, 'row'>;

/**
 * Outgoing commitment requests and each instance's outcome, in PostgreSQL. Each method is one transaction; a
 * guarded one (`ifState`) locks the request's row, checks its state and writes, so that another node's change
 * cannot slip in between.
 */
export class PgOutgoingRepo implements OutgoingStore {
  constructor(private readonly db: PgDb) {}

  async createJob(o: { remoteId: number; remoteName: string; label: string; form: RequestForm; requests: PlannedRequest[]; now: number }): Promise<{
    jobId: number;
    requestIds: number[];
  }> {
    const stored = await this.db.tx(async (t) => {
      // Holds off a concurrent delete of the remote (it locks the row) until the job is stored.
      await t.row(`SELECT 1 AS x FROM remotes WHERE id = ? FOR SHARE`, [o.remoteId]);
      const [job] = await t.returning<{ id: number }>(`INSERT INTO jobs (remote_id, label, form, created_at) VALUES (?, ?, ?, ?) RETURNING id`, [
        o.remoteId,
        o.label,
        o.form,
        o.now,
      ]);
      const requestIds = await insertRequests(t, { jobId: job!.id, remoteId: o.remoteId, remoteName: o.remoteName }, o.requests, o.now);
      return { jobId: job!.id, requestIds };
    });
    const instances = o.requests.reduce((n, r) => n + r.instances.length, 0);
    if (instances >= ANALYZE_AFTER) await this.db.analyze(['outgoing', 'outgoing_instances', 'verdicts']);
    return stored;
  }

  async createSingle(remoteId: number, remoteName: string, r: PlannedRequest, now: number): Promise<number> {
    return this.db.tx(async (t) => (await insertRequests(t, { jobId: null, remoteId, remoteName }, [r], now))[0]!);
  }

  async createFollowUp(from: OutgoingRequest, r: PlannedRequest, now: number): Promise<number> {
    return this.db.tx(async (t) => (await insertRequests(t, from, [{ ...r, followUpOf: from.id }], now))[0]!);
  }

  async deleteRequest(id: number): Promise<void> {
    await this.db.tx(async (t) => {
      await t.run(`DELETE FROM outgoing_instances WHERE request_id = ?`, [id]);
      await t.run(`DELETE FROM outgoing WHERE id = ?`, [id]);
    });
  }

  async get(id: number): Promise<OutgoingRequest> {
    return requestOf(this.db, id);
  }

  async findByUid(transactionUid: string): Promise<OutgoingRequest | undefined> {
    const row = await this.db.row<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM outgoing WHERE transaction_uid = ? OR previous_uids LIKE ? LIMIT 1`, [
      transactionUid,
      `%"${transactionUid}"%`,
    ]);
    return row ? toRequest(row) : undefined;
  }

  async findByProxyFor(incomingUid: string): Promise<OutgoingRequest | undefined> {
    const row = await this.db.row<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM outgoing WHERE proxy_for = ? ORDER BY id DESC LIMIT 1`, [incomingUid]);
    return row ? toRequest(row) : undefined;
  }

  async rawResponse(id: number): Promise<string | null> {
    return (await this.db.row<{ r: string | null }>(`SELECT raw_response AS r FROM outgoing WHERE id = ?`, [id]))?.r ?? null;
  }

  async patch(id: number, p: RequestPatch, ifState?: readonly OutgoingState[]): Promise<boolean> {
    if (Object.keys(p).length === 0) return true;
    return this.db.tx((t) => patchIn(t, id, p, ifState));
  }

  async changeUid(id: number, newUid: string, patch: RequestPatch, ifState?: readonly OutgoingState[]): Promise<boolean> {
    return this.db.tx(async (t) => (await passes(t, id, ifState)) && changeUidIn(t, id, newUid, patch));
  }

  async instancesOf(id: number): Promise<OutgoingInstance[]> {
    return this.db.rows(`SELECT ${INSTANCE_COLUMNS} FROM outgoing_instances WHERE request_id = ? ORDER BY seq`, [id]);
  }

  /** Every answered instance's outcome in one statement (100,000 as a handful of arrays), then the verdicts, counts and state. */
  async complete(id: number, results: readonly InstanceResult[], patch: RequestPatch, now: number, ifState?: readonly OutgoingState[]): Promise<boolean> {
    // A seq answered twice: the last answer stands (as when written one by one).
    const last = [...new Map(results.map((r) => [r.seq, r])).values()];
    return this.db.tx(async (t) => {
      if (!(await passes(t, id, ifState))) return false;
      await t.run(
        `UPDATE outgoing_instances i SET outcome = u.outcome, failure_reason = u.reason, detail = u.detail, updated_at = ?
         FROM unnest(?::int[], ?::text[], ?::int[], ?::text[]) AS u(seq, outcome, reason, detail)
         WHERE i.request_id = ? AND i.seq = u.seq`,
        [now, last.map((r) => r.seq), last.map((r) => r.outcome), last.map((r) => r.failureReason), last.map((r) => r.detail), id],
      );
      await pgVerdicts.instances(
        t,
        id,
        last.map((r) => r.seq),
        now,
      );
      await recount(t, id);
      await patchIn(t, id, patch);
      return true;
    });
  }

  async failPending(id: number, detail: string, patch: RequestPatch, now: number, failureReason: number | null = null, ifState?: readonly OutgoingState[]): Promise<boolean> {
    return this.db.tx(async (t) => {
      if (!(await passes(t, id, ifState))) return false;
      await pgVerdicts.pendingFailed(t, id, { failureReason, detail }, now);
      await t.run(
        `UPDATE outgoing_instances SET outcome = 'failed', failure_reason = ?, detail = ?, updated_at = ? WHERE request_id = ? AND outcome = 'pending'`,
        [failureReason, detail, now, id],
      );
      await recount(t, id);
      await patchIn(t, id, patch);
      return true;
    });
  }

  async reset(id: number, newUid: string, now: number, ifState?: readonly OutgoingState[], state: OutgoingState = 'queued'): Promise<boolean> {
    return this.db.tx(async (t) => {
      if (!(await passes(t, id, ifState))) return false;
      await t.run(`UPDATE outgoing_instances SET outcome = 'pending', failure_reason = NULL, detail = NULL, updated_at = ? WHERE request_id = ?`, [now, id]);
      await recount(t, id);
      await changeUidIn(t, id, newUid, resetPatch(state, now));
      await pgVerdicts.requests(t, [id], now);
      return true;
    });
  }

  async notCommitted(id: number): Promise<PlannedInstance[]> {
    return this.db.rows(`SELECT ${PLANNED_COLUMNS} FROM outgoing_instances WHERE request_id = ? AND outcome <> 'committed' ORDER BY seq`, [id]);
  }

  async active(): Promise<OutgoingRequest[]> {
    return (await this.db.rows<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM outgoing WHERE state = ANY(?::text[]) ORDER BY id`, [ACTIVE_STATES])).map(toRequest);
  }

  async list(o: { limit: number; offset: number; jobId?: number; state?: OutgoingState; remoteId?: number }): Promise<{ rows: OutgoingRequest[]; total: number }> {
    const w = whereOf({ job_id: o.jobId, state: o.state, remote_id: o.remoteId });
    const rows = await this.db.rows<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM outgoing ${w.sql} ORDER BY id DESC LIMIT ? OFFSET ?`, [...w.args, o.limit, o.offset]);
    return { rows: rows.map(toRequest), total: (await this.db.row<{ n: number }>(`SELECT COUNT(*) AS n FROM outgoing ${w.sql}`, w.args))!.n };
  }

  async instances(id: number, o: { limit: number; offset: number; outcome?: string; failureReason?: number }): Promise<{ rows: OutgoingInstance[]; total: number }> {
    const w = whereOf({ request_id: id, outcome: o.outcome || undefined, failure_reason: o.failureReason });
    const rows = await this.db.rows<OutgoingInstance>(`SELECT ${INSTANCE_COLUMNS} FROM outgoing_instances ${w.sql} ORDER BY seq LIMIT ? OFFSET ?`, [
      ...w.args,
      o.limit,
      o.offset,
    ]);
    return { rows, total: (await this.db.row<{ n: number }>(`SELECT COUNT(*) AS n FROM outgoing_instances ${w.sql}`, w.args))!.n };
  }

  async totals(): Promise<{ requests: Record<string, number>; instances: { total: number; committed: number; failed: number; pending: number } }> {
    const byState = await this.db.rows<{ state: string; n: number }>(`SELECT state, COUNT(*) AS n FROM outgoing GROUP BY state`);
    const i = (await this.db.row<{ total: number; committed: number; failed: number }>(
      `SELECT COALESCE(SUM(instance_count), 0) AS total, COALESCE(SUM(committed_count), 0) AS committed, COALESCE(SUM(failed_count), 0) AS failed FROM outgoing`,
    ))!;
    return { requests: Object.fromEntries(byState.map((r) => [r.state, r.n])), instances: { ...i, pending: i.total - i.committed - i.failed } };
  }
}

async function requestOf(db: Reader, id: number): Promise<OutgoingRequest> {
  const row = await db.row<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM outgoing WHERE id = ?`, [id]);
  if (!row) throw new NotFoundError('outgoing request', id, `No outgoing request ${id}`);
  return toRequest(row);
}

/** Locks the request's row; true when there is no guard, or the request is in one of its states now. */
async function passes(t: PgTx, id: number, ifState: Guard): Promise<boolean> {
  const row = await t.row<{ state: OutgoingState }>(`SELECT state FROM outgoing WHERE id = ? FOR UPDATE`, [id]);
  return !ifState || (row !== undefined && ifState.includes(row.state));
}

async function patchIn(t: PgTx, id: number, p: RequestPatch, ifState?: Guard): Promise<boolean> {
  const keys = Object.keys(p) as (keyof typeof PATCHABLE)[];
  if (keys.length === 0) return true;
  const sets = keys.map((k) => `${PATCHABLE[k]} = ?`).join(', ');
  const args = keys.map((k) => p[k] ?? null);
  if (!ifState) return (await t.run(`UPDATE outgoing SET ${sets} WHERE id = ?`, [...args, id])) > 0;
  return (await t.run(`UPDATE outgoing SET ${sets} WHERE id = ? AND state = ANY(?::text[])`, [...args, id, ifState])) > 0;
}

async function changeUidIn(t: PgTx, id: number, newUid: string, patch: RequestPatch): Promise<true> {
  const r = await requestOf(t, id);
  await t.run(`UPDATE outgoing SET transaction_uid = ?, previous_uids = ? WHERE id = ?`, [newUid, JSON.stringify([...r.previousUids, r.transactionUid]), id]);
  await pgVerdicts.renamed(t, id, newUid);
  await patchIn(t, id, patch);
  return true;
}

async function recount(t: PgTx, id: number): Promise<void> {
  await t.run(
    `UPDATE outgoing o SET committed_count = c.committed, failed_count = c.failed
     FROM (SELECT COUNT(*) FILTER (WHERE outcome = 'committed') AS committed, COUNT(*) FILTER (WHERE outcome = 'failed') AS failed
           FROM outgoing_instances WHERE request_id = ?) c
     WHERE o.id = ?`,
    [id, id],
  );
}
