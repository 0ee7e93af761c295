import type { Db } from './db';
import { ACTIVE_SQL as ACTIVE, LEASE_FREE as FREE, NODE_REGISTER, NODES_LIST, REPORT_DUE, type NodeRow, REPORT_LEASE_FREE as REPORT_FREE } from './lease-sql';
import type { LeaseStore, NodeStore } from './ports';

/** The node registry in SQLite (several processes on one file: tests, one machine). */
export class NodeRepo implements NodeStore {
  constructor(private readonly db: Db) {}

  async register(n: { id: string; name: string; version: string; addresses: string[]; now: number }): Promise<void> {
    this.db.sql.prepare(NODE_REGISTER).run(n.id, n.name, n.version, n.now, n.now, JSON.stringify(n.addresses));
  }

  async beat(id: string, now: number, addresses?: string[]): Promise<void> {
    if (addresses) this.db.sql.prepare(`UPDATE nodes SET heartbeat_at = ?, addresses = ? WHERE id = ?`).run(now, JSON.stringify(addresses), id);
    else this.db.sql.prepare(`UPDATE nodes SET heartbeat_at = ? WHERE id = ?`).run(now, id);
  }

  async list(): ReturnType<NodeStore['list']> {
    const rows = this.db.sql.prepare(NODES_LIST).all() as NodeRow[];
    return rows.map((r) => ({ ...r, addresses: JSON.parse(r.addresses) as string[] }));
  }
}

/**
 * Leases in SQLite: each claim is one conditional UPDATE (SQLite has one writer at a time, so the condition
 * is checked and the row written atomically, whichever process writes).
 */
export class LeaseRepo implements LeaseStore {
  constructor(private readonly db: Db) {}

  async claimRequest(id: number, owner: string, now: number, until: number): Promise<boolean> {
    const r = this.db.sql
      .prepare(`UPDATE outgoing SET lease_owner = ?, lease_until = ? WHERE id = ? AND state IN (${ACTIVE}) AND ${FREE}`)
      .run(owner, until, id, owner, now);
    return r.changes > 0;
  }

  async releaseRequest(id: number): Promise<void> {
    this.db.sql.prepare(`UPDATE outgoing SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner IS NOT NULL`).run(id);
  }

  async claimIncoming(transactionUid: string, owner: string, now: number, until: number): Promise<boolean> {
    const r = this.db.sql
      .prepare(`UPDATE incoming SET lease_owner = ?, lease_until = ? WHERE transaction_uid = ? AND state = 'working' AND ${FREE}`)
      .run(owner, until, transactionUid, owner, now);
    return r.changes > 0;
  }

  async orphanedIncoming(owner: string, now: number, unclaimedBefore: number): Promise<string[]> {
    const rows = this.db.sql
      .prepare(
        `SELECT transaction_uid AS uid FROM incoming WHERE state = 'working'
           AND (lease_owner = ? OR lease_until < ? OR (lease_owner IS NULL AND (received_at < ? OR handed_at IS NOT NULL)))
           AND NOT COALESCE(handed_at >= ? AND EXISTS (SELECT 1 FROM json_each(tried_nodes) WHERE value = ?), 0)
         ORDER BY received_at`,
      )
      .all(owner, now, unclaimedBefore, unclaimedBefore, owner) as { uid: string }[];
    return rows.map((r) => r.uid);
  }

  async triedNodes(transactionUid: string): Promise<string[]> {
    const row = this.db.sql.prepare(`SELECT tried_nodes AS t FROM incoming WHERE transaction_uid = ?`).get(transactionUid) as { t: string } | undefined;
    return row ? (JSON.parse(row.t) as string[]) : [];
  }

  async handOver(transactionUid: string, owner: string, now: number): Promise<void> {
    this.db.sql
      .prepare(
        `UPDATE incoming SET tried_nodes = json_insert(tried_nodes, '$[#]', ?), handed_at = ?, lease_owner = NULL, lease_until = NULL
         WHERE transaction_uid = ? AND state = 'working' AND lease_owner = ?`,
      )
      .run(owner, now, transactionUid, owner);
  }

  async claimReport(transactionUid: string, owner: string, now: number, until: number): Promise<boolean> {
    const r = this.db.sql
      .prepare(`UPDATE incoming SET report_lease_owner = ?, report_lease_until = ? WHERE transaction_uid = ? AND ${REPORT_DUE} AND ${REPORT_FREE}`)
      .run(owner, until, transactionUid, owner, now);
    return r.changes > 0;
  }

  async renew(owner: string, _now: number, until: number): Promise<number> {
    return this.db.tx(() => {
      const a = this.db.sql.prepare(`UPDATE outgoing SET lease_until = ? WHERE lease_owner = ? AND state IN (${ACTIVE})`).run(until, owner).changes;
      const b = this.db.sql.prepare(`UPDATE incoming SET lease_until = ? WHERE lease_owner = ? AND state = 'working'`).run(until, owner).changes;
      const c = this.db.sql.prepare(`UPDATE incoming SET report_lease_until = ? WHERE report_lease_owner = ? AND ${REPORT_DUE}`).run(until, owner).changes;
      return a + b + c;
    });
  }

  async releaseHeld(owner: string, held: { requests: readonly number[]; incoming: readonly string[]; reports: readonly string[] }): Promise<void> {
    const release = (sql: string, keys: readonly unknown[]) => this.db.sql.prepare(sql).run(owner, JSON.stringify(keys));
    this.db.tx(() => {
      release(`UPDATE outgoing SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND id IN (SELECT value FROM json_each(?))`, held.requests);
      release(`UPDATE incoming SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND transaction_uid IN (SELECT value FROM json_each(?))`, held.incoming);
      release(
        `UPDATE incoming SET report_lease_owner = NULL, report_lease_until = NULL WHERE report_lease_owner = ? AND transaction_uid IN (SELECT value FROM json_each(?))`,
        held.reports,
      );
    });
  }

}
