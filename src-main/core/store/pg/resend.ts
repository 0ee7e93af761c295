import type { ResendEnd, StoreOutcomeRecord } from '../../../../src-shared/resend';
import type { ResendStore, VerdictBrief } from '../ports';
import type { PgDb } from './db';

/**
 * "Send missing" runs and store outcomes, in PostgreSQL (the twin of resend-repo.ts); lists of UIDs travel
 * as one array parameter, so a lookup is one statement whatever its size.
 */
export class PgResendRepo implements ResendStore {
  constructor(private readonly db: PgDb) {}

  async verdictsOf(remoteId: number, uids: readonly string[]): Promise<Map<string, VerdictBrief>> {
    const rows = await this.db.rows<VerdictBrief & { uid: string }>(
      `SELECT v.sop_instance_uid AS uid, v.outcome, v.failure_reason AS "failureReason", v.detail, v.job_id AS "jobId"
       FROM verdicts v WHERE v.remote_id = ? AND v.sop_instance_uid = ANY(?::text[])`,
      [remoteId, uids],
    );
    return new Map(rows.map((r) => [r.uid, { outcome: r.outcome, failureReason: r.failureReason, detail: r.detail, jobId: r.jobId }]));
  }

  async startRun(o: { remoteId: number; protocol: 'dimse' | 'dicomweb'; rounds: number; selected: number; now: number }): Promise<number> {
    const [run] = await this.db.tx((t) =>
      t.returning<{ id: number }>('INSERT INTO resend_runs (remote_id, protocol, rounds, selected, started_at) VALUES (?, ?, ?, ?, ?) RETURNING id', [
        o.remoteId,
        o.protocol,
        o.rounds,
        o.selected,
        o.now,
      ]),
    );
    return run!.id;
  }

  async recordStoreOutcomes(runId: number, remoteId: number, records: readonly StoreOutcomeRecord[]): Promise<void> {
    if (records.length === 0) return;
    const col = <V>(pick: (o: StoreOutcomeRecord) => V) => records.map(pick);
    await this.db.run(
      `INSERT INTO store_outcomes (run_id, round, remote_id, sop_instance_uid, study_uid, file_path, protocol, status, code, text, retry, bytes, at)
       SELECT ?::bigint, u.round, ?::bigint, u.uid, u.study, u.path, u.protocol, u.status, u.code, u.text, u.retry, u.bytes, u.at
       FROM unnest(?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::boolean[], ?::bigint[], ?::bigint[])
         AS u(round, uid, study, path, protocol, status, code, text, retry, bytes, at)`,
      [
        runId,
        remoteId,
        col((o) => o.round),
        col((o) => o.sopInstanceUid),
        col((o) => o.studyUid),
        col((o) => o.filePath),
        col((o) => o.protocol),
        col((o) => o.status),
        col((o) => o.code),
        col((o) => o.text),
        col((o) => o.retry),
        col((o) => o.bytes),
        col((o) => o.at),
      ],
    );
  }

  async finishRun(runId: number, end: ResendEnd, now: number): Promise<void> {
    await this.db.run('UPDATE resend_runs SET finished_at = ?, end_state = ? WHERE id = ?', [now, end, runId]);
  }

  async markCommittedAfterResend(jobId: number, detail: string): Promise<number> {
    return this.db.tx(async (t) => {
      await t.run(
        `UPDATE outgoing_instances SET detail = ? WHERE outcome = 'committed' AND request_id IN (SELECT id FROM outgoing WHERE job_id = ?)`,
        [detail, jobId],
      );
      // Only verdicts that still come from this job: a later job's word stays the verdict.
      return t.run(`UPDATE verdicts SET detail = ? WHERE job_id = ? AND outcome = 'committed'`, [detail, jobId]);
    });
  }

  async latestStoreOutcomes(remoteId: number, uids: readonly string[]): Promise<Map<string, StoreOutcomeRecord>> {
    const rows = await this.db.rows<StoreOutcomeRecord>(
      `SELECT DISTINCT ON (s.sop_instance_uid) s.sop_instance_uid AS "sopInstanceUid", s.study_uid AS "studyUid", s.file_path AS "filePath",
         s.round, s.protocol, s.status, s.code, s.text, s.retry, s.bytes, s.at
       FROM store_outcomes s WHERE s.remote_id = ? AND s.sop_instance_uid = ANY(?::text[])
       ORDER BY s.sop_instance_uid, s.id DESC`,
      [remoteId, uids],
    );
    return new Map(rows.map((r) => [r.sopInstanceUid, r]));
  }
}
