import { ACTIVE_SQL as ACTIVE, LEASE_FREE as FREE, NODE_REGISTER, NODES_LIST, REPORT_DUE, type NodeRow, REPORT_LEASE_FREE as REPORT_FREE } from '../lease-sql';
import type { LeaseStore, NodeStore } from '../ports';
import type { PgDb } from './db';

/** The node registry in PostgreSQL: one row per node, its heartbeat written every few seconds. */
export class PgNodeRepo implements NodeStore {
  constructor(private readonly db: PgDb) {}

  async register(n: { id: string; name: string; version: string; addresses: string[]; now: number }): Promise<void> {
    await this.db.run(NODE_REGISTER, [n.id, n.name, n.version, n.now, n.now, JSON.stringify(n.addresses)]);
  }

  async beat(id: string, now: number, addresses?: string[]): Promise<void> {
    if (addresses) await this.db.run(`UPDATE nodes SET heartbeat_at = ?, addresses = ? WHERE id = ?`, [now, JSON.stringify(addresses), id]);
    else await this.db.run(`UPDATE nodes SET heartbeat_at = ? WHERE id = ?`, [now, id]);
  }

  async list(): ReturnType<NodeStore['list']> {
    const rows = await this.db.rows<NodeRow>(NODES_LIST);
    return rows.map((r) => ({ ...r, addresses: JSON.parse(r.addresses) as string[] }));
  }
}

/**
 * Leases in PostgreSQL. A claim is one conditional UPDATE: a row another transaction is writing at that
 * instant (another node's claim, or this node's own heartbeat renewing its leases) is waited for, then the
 * condition is checked again on the row as that transaction left it (READ COMMITTED re-evaluates the WHERE
 * of an UPDATE on the newest version), so two nodes never both hold it. Not SKIP LOCKED: a row skipped
 * because this node's own heartbeat was renewing it read as "another node holds it", and the request
 * waited a whole heartbeat for nothing.
 */
export class PgLeaseRepo implements LeaseStore {
  constructor(private readonly db: PgDb) {}

  async claimRequest(id: number, owner: string, now: number, until: number): Promise<boolean> {
    const n = await this.db.run(
      `UPDATE outgoing SET lease_owner = ?, lease_until = ?
       WHERE id = ? AND state IN (${ACTIVE}) AND ${FREE}`,
      [owner, until, id, owner, now],
    );
    return n > 0;
  }

  async releaseRequest(id: number): Promise<void> {
    await this.db.run(`UPDATE outgoing SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner IS NOT NULL`, [id]);
  }

  async claimIncoming(transactionUid: string, owner: string, now: number, until: number): Promise<boolean> {
    const n = await this.db.run(
      `UPDATE incoming SET lease_owner = ?, lease_until = ?
       WHERE transaction_uid = ? AND state = 'working' AND ${FREE}`,
      [owner, until, transactionUid, owner, now],
    );
    return n > 0;
  }

  async orphanedIncoming(owner: string, now: number, unclaimedBefore: number): Promise<string[]> {
    const rows = await this.db.rows<{ uid: string }>(
      `SELECT transaction_uid AS uid FROM incoming WHERE state = 'working'
         AND (lease_owner = ? OR lease_until < ? OR (lease_owner IS NULL AND (received_at < ? OR handed_at IS NOT NULL)))
         AND NOT (COALESCE(handed_at >= ?, false) AND jsonb_exists(tried_nodes::jsonb, ?))
       ORDER BY received_at`,
      [owner, now, unclaimedBefore, unclaimedBefore, owner],
    );
    return rows.map((r) => r.uid);
  }

  async triedNodes(transactionUid: string): Promise<string[]> {
    const row = await this.db.row<{ t: string }>(`SELECT tried_nodes AS t FROM incoming WHERE transaction_uid = ?`, [transactionUid]);
    return row ? (JSON.parse(row.t) as string[]) : [];
  }

  async handOver(transactionUid: string, owner: string, now: number): Promise<void> {
    await this.db.run(
      `UPDATE incoming SET tried_nodes = (tried_nodes::jsonb || to_jsonb(?::text))::text, handed_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE transaction_uid = ? AND state = 'working' AND lease_owner = ?`,
      [owner, now, transactionUid, owner],
    );
  }

  async claimReport(transactionUid: string, owner: string, now: number, until: number): Promise<boolean> {
    const n = await this.db.run(
      `UPDATE incoming SET report_lease_owner = ?, report_lease_until = ?
       WHERE transaction_uid = ? AND ${REPORT_DUE} AND ${REPORT_FREE}`,
      [owner, until, transactionUid, owner, now],
    );
    return n > 0;
  }

  async renew(owner: string, _now: number, until: number): Promise<number> {
    return this.db.tx(async (t) => {
      const a = await t.run(`UPDATE outgoing SET lease_until = ? WHERE lease_owner = ? AND state IN (${ACTIVE})`, [until, owner]);
      const b = await t.run(`UPDATE incoming SET lease_until = ? WHERE lease_owner = ? AND state = 'working'`, [until, owner]);
      const c = await t.run(`UPDATE incoming SET report_lease_until = ? WHERE report_lease_owner = ? AND ${REPORT_DUE}`, [until, owner]);
      return a + b + c;
    });
  }

  async releaseHeld(owner: string, held: { requests: readonly number[]; incoming: readonly string[]; reports: readonly string[] }): Promise<void> {
    await this.db.tx(async (t) => {
      await t.run(`UPDATE outgoing SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND id = ANY(?::bigint[])`, [owner, held.requests]);
      await t.run(`UPDATE incoming SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND transaction_uid = ANY(?::text[])`, [owner, held.incoming]);
      await t.run(`UPDATE incoming SET report_lease_owner = NULL, report_lease_until = NULL WHERE report_lease_owner = ? AND transaction_uid = ANY(?::text[])`, [
        owner,
        held.reports,
      ]);
    });
  }
}
