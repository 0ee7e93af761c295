import type { UnmatchedReportStore } from '../ports';
import type { UnmatchedReport } from '../../engine/model/outgoing';
import type { PgDb } from './db';

/** N-EVENT-REPORTs that matched no request Safekeep could complete, in PostgreSQL (kept as they came, for audit). */
export class PgUnmatchedReportsRepo implements UnmatchedReportStore {
  constructor(private readonly db: PgDb) {}

  async record(o: { transactionUid: string; callingAe: string; eventType: number; committed: number; failed: number; why: string; payload: unknown; now: number }): Promise<void> {
    await this.db.run(
      `INSERT INTO dimse_unmatched_reports (transaction_uid, calling_ae, event_type, committed_count, failed_count, received_at, why, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [o.transactionUid, o.callingAe, o.eventType, o.committed, o.failed, o.now, o.why, JSON.stringify(o.payload)],
    );
  }

  async payloadOf(transactionUid: string): Promise<unknown> {
    const row = await this.db.row<{ payload: string }>(`SELECT payload FROM dimse_unmatched_reports WHERE transaction_uid = ? ORDER BY id DESC LIMIT 1`, [transactionUid]);
    return row ? (JSON.parse(row.payload) as unknown) : null;
  }

  async list(): Promise<UnmatchedReport[]> {
    return this.db.rows(
      `SELECT transaction_uid AS "transactionUid", calling_ae AS "callingAe", event_type AS "eventType", received_at AS "receivedAt", why
       FROM dimse_unmatched_reports ORDER BY id DESC LIMIT 1000`,
    );
  }
}
