import type { ContentCheckRecord, ContentOutcome, ContentSample, ContentSummary } from '../../../../src-shared/content';
import { CHECK_COLUMNS, CONTENT_ORDER, contentSummary, RUN_COLUMNS, verdictDetail, type RunRow } from '../content-repo';
import type { ContentStore } from '../ports';
import type { PgDb } from './db';
import { pgVerdicts } from './verdicts';

/** Content check runs and outcomes in PostgreSQL (the twin of content-repo.ts); the verdicts they act on in the same transaction. */
export class PgContentRepo implements ContentStore {
  constructor(private readonly db: PgDb) {}

  async startContentRun(o: { remoteId: number; via: ContentSummary['via']; source: string; sample: ContentSample; committed: number; checked: number; now: number }): Promise<number> {
    const [run] = await this.db.tx((t) =>
      t.returning<{ id: number }>(
        'INSERT INTO content_runs (remote_id, via, source, sample, committed, checked, started_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
        [o.remoteId, o.via, o.source, String(o.sample), o.committed, o.checked, o.now],
      ),
    );
    return run!.id;
  }

  async recordContentChecks(runId: number, remoteId: number, records: readonly ContentCheckRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.tx(async (t) => {
      for (const c of records) {
        await t.run(
          `INSERT INTO content_checks (run_id, remote_id, sop_instance_uid, study_uid, series_uid, file_path, outcome, attribute, text, bytes, at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [runId, remoteId, c.sopInstanceUid, c.studyUid, c.seriesUid, c.filePath, c.outcome, c.attribute, c.text, c.bytes, c.at],
        );
        if (c.outcome === 'differs') await pgVerdicts.contentDiffers(t, remoteId, c.sopInstanceUid, verdictDetail(c), c.at);
        else if (c.outcome === 'same' || c.outcome === 'transcoded') await pgVerdicts.contentSame(t, remoteId, c.sopInstanceUid, c.at);
      }
    });
  }

  async finishContentRun(runId: number, end: ContentSummary['end'], now: number): Promise<void> {
    await this.db.run('UPDATE content_runs SET finished_at = ?, end_state = ? WHERE id = ?', [now, end, runId]);
  }

  async contentRun(remoteId: number, o: { runId?: number; limit?: number } = {}): Promise<ContentSummary | null> {
    const run =
      o.runId !== undefined
        ? await this.db.row<RunRow>(`SELECT ${RUN_COLUMNS} FROM content_runs WHERE id = ? AND remote_id = ?`, [o.runId, remoteId])
        : await this.db.row<RunRow>(`SELECT ${RUN_COLUMNS} FROM content_runs WHERE remote_id = ? ORDER BY id DESC LIMIT 1`, [remoteId]);
    if (!run) return null;
    const counts = await this.db.rows<{ outcome: ContentOutcome; n: number }>('SELECT outcome, COUNT(*) AS n FROM content_checks WHERE run_id = ? GROUP BY outcome', [run.id]);
    const notSame = await this.db.rows<ContentCheckRecord>(
      `SELECT ${CHECK_COLUMNS} FROM content_checks WHERE run_id = ? AND outcome <> 'same' ORDER BY ${CONTENT_ORDER} LIMIT ?`,
      [run.id, o.limit ?? 1000],
    );
    return contentSummary(run, counts, notSame);
  }
}
