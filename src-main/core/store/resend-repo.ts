import type { ResendEnd, StoreOutcomeRecord } from '../../../src-shared/resend';
import type { Db } from './db';
import type { ResendStore, VerdictBrief } from './ports';

/** UIDs per statement: json_each of a few thousand UIDs is one quick indexed pass. */
const CHUNK = 5000;

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/** A store outcome as SQLite gives it back (retry as 0/1). */
type OutcomeRow = Omit<StoreOutcomeRecord, 'retry'> & { retry: number };

/** "Send missing" runs and store outcomes, in SQLite; verdicts read by key. */
export class ResendRepo implements ResendStore {
  constructor(private readonly db: Db) {}

  async verdictsOf(remoteId: number, uids: readonly string[]): Promise<Map<string, VerdictBrief>> {
    const stmt = this.db.sql.prepare(
      `SELECT v.sop_instance_uid AS uid, v.outcome, v.failure_reason AS failureReason, v.detail, v.job_id AS jobId
       FROM json_each(?) j JOIN verdicts v ON v.remote_id = ? AND v.sop_instance_uid = j.value`,
    );
    const out = new Map<string, VerdictBrief>();
    for (const part of chunks(uids)) {
      for (const r of stmt.all(JSON.stringify(part), remoteId) as (VerdictBrief & { uid: string })[]) {
        out.set(r.uid, { outcome: r.outcome, failureReason: r.failureReason, detail: r.detail, jobId: r.jobId });
      }
    }
    return out;
  }

  async startRun(o: { remoteId: number; protocol: 'dimse' | 'dicomweb'; rounds: number; selected: number; now: number }): Promise<number> {
    const r = this.db.sql
      .prepare('INSERT INTO resend_runs (remote_id, protocol, rounds, selected, started_at) VALUES (?, ?, ?, ?, ?)')
      .run(o.remoteId, o.protocol, o.rounds, o.selected, o.now);
    return Number(r.lastInsertRowid);
  }

  async recordStoreOutcomes(runId: number, remoteId: number, records: readonly StoreOutcomeRecord[]): Promise<void> {
    if (records.length === 0) return;
    const stmt = this.db.sql.prepare(
      `INSERT INTO store_outcomes (run_id, round, remote_id, sop_instance_uid, study_uid, file_path, protocol, status, code, text, retry, bytes, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.tx(() => {
      for (const o of records) {
        stmt.run(runId, o.round, remoteId, o.sopInstanceUid, o.studyUid, o.filePath, o.protocol, o.status, o.code, o.text, o.retry ? 1 : 0, o.bytes, o.at);
      }
    });
  }

  async finishRun(runId: number, end: ResendEnd, now: number): Promise<void> {
    this.db.sql.prepare('UPDATE resend_runs SET finished_at = ?, end_state = ? WHERE id = ?').run(now, end, runId);
  }

  async markCommittedAfterResend(jobId: number, detail: string): Promise<number> {
    return this.db.tx(() => {
      this.db.sql
        .prepare(
          `UPDATE outgoing_instances SET detail = ? WHERE outcome = 'committed'
             AND request_id IN (SELECT id FROM outgoing WHERE job_id = ?)`,
        )
        .run(detail, jobId);
      // Only verdicts that still come from this job: a later job's word stays the verdict.
      return this.db.sql.prepare(`UPDATE verdicts SET detail = ? WHERE job_id = ? AND outcome = 'committed'`).run(detail, jobId).changes;
    });
  }

  async latestStoreOutcomes(remoteId: number, uids: readonly string[]): Promise<Map<string, StoreOutcomeRecord>> {
    const stmt = this.db.sql.prepare(
      `SELECT s.sop_instance_uid AS sopInstanceUid, s.study_uid AS studyUid, s.file_path AS filePath, s.round, s.protocol, s.status,
         s.code, s.text, s.retry, s.bytes, s.at
       FROM json_each(?) j JOIN store_outcomes s ON s.id = (
         SELECT MAX(id) FROM store_outcomes WHERE remote_id = ? AND sop_instance_uid = j.value)`,
    );
    const out = new Map<string, StoreOutcomeRecord>();
    for (const part of chunks(uids)) {
      for (const r of stmt.all(JSON.stringify(part), remoteId) as OutcomeRow[]) out.set(r.sopInstanceUid, { ...r, retry: r.retry === 1 });
    }
    return out;
  }
}
