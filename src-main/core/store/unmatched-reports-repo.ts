import type { Db } from './db';
import type { UnmatchedReportStore } from './ports';
import type { UnmatchedReport } from '../engine/model/outgoing';

/** N-EVENT-REPORTs that matched no request Safekeep could complete, in SQLite (kept as they came, for audit). */
export class UnmatchedReportsRepo implements UnmatchedReportStore {
  constructor(private readonly db: Db) {}

  async record(o: { transactionUid: string; callingAe: string; eventType: number; committed: number; failed: number; why: string; payload: unknown; now: number }): Promise<void> {
    this.db.sql
      .prepare(
        `INSERT INTO dimse_unmatched_reports (transaction_uid, calling_ae, event_type, committed_count, failed_count, received_at, why, payload)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(o.transactionUid, o.callingAe, o.eventType, o.committed, o.failed, o.now, o.why, JSON.stringify(o.payload));
  }

  async payloadOf(transactionUid: string): Promise<unknown> {
    const row = this.db.sql.prepare(`SELECT payload FROM dimse_unmatched_reports WHERE transaction_uid = ? ORDER BY id DESC LIMIT 1`).get(transactionUid) as
      | { payload: string }
      | undefined;
    return row ? (JSON.parse(row.payload) as unknown) : null;
  }

  async list(): Promise<UnmatchedReport[]> {
    return this.db.sql
      .prepare(
        `SELECT transaction_uid AS transactionUid, calling_ae AS callingAe, event_type AS eventType, received_at AS receivedAt, why
         FROM dimse_unmatched_reports ORDER BY id DESC LIMIT 1000`,
      )
      .all() as UnmatchedReport[];
  }
}
