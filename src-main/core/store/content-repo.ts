import { CONTENT_DIFFERS, NO_CONTENT_COUNTS, type ContentCheckRecord, type ContentOutcome, type ContentSample, type ContentSummary } from '../../../src-shared/content';
import type { Db } from './db';
import type { ContentStore } from './ports';
import { VerdictWriter } from './verdict-writer';

/** A content_runs row (both stores). */
export interface RunRow {
  id: number;
  remoteId: number;
  via: ContentSummary['via'];
  source: string;
  sample: string;
  committed: number;
  checked: number;
  startedAt: number;
  finishedAt: number | null;
  endState: string | null;
}

/** Quoted aliases: PostgreSQL keeps their case too. */
export const RUN_COLUMNS = `id, remote_id AS "remoteId", via, source, sample, committed, checked, started_at AS "startedAt",
  finished_at AS "finishedAt", end_state AS "endState"`;

export const CHECK_COLUMNS = `sop_instance_uid AS "sopInstanceUid", study_uid AS "studyUid", series_uid AS "seriesUid", file_path AS "filePath",
  outcome, attribute, text, bytes, at`;

/** Differences first: they are what the engineer acts on. */
export const CONTENT_ORDER = `CASE outcome WHEN 'differs' THEN 0 WHEN 'not-retrievable' THEN 1 WHEN 'local-changed' THEN 2 ELSE 3 END, id`;

/** Content check runs and outcomes in SQLite; the verdicts they act on through the verdict writer. */
export class ContentRepo implements ContentStore {
  private readonly verdicts: VerdictWriter;

  constructor(private readonly db: Db) {
    this.verdicts = new VerdictWriter(db);
  }

  async startContentRun(o: { remoteId: number; via: ContentSummary['via']; source: string; sample: ContentSample; committed: number; checked: number; now: number }): Promise<number> {
    const r = this.db.sql
      .prepare('INSERT INTO content_runs (remote_id, via, source, sample, committed, checked, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(o.remoteId, o.via, o.source, String(o.sample), o.committed, o.checked, o.now);
    return Number(r.lastInsertRowid);
  }

  async recordContentChecks(runId: number, remoteId: number, records: readonly ContentCheckRecord[]): Promise<void> {
    if (records.length === 0) return;
    const stmt = this.db.sql.prepare(
      `INSERT INTO content_checks (run_id, remote_id, sop_instance_uid, study_uid, series_uid, file_path, outcome, attribute, text, bytes, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.tx(() => {
      for (const c of records) {
        stmt.run(runId, remoteId, c.sopInstanceUid, c.studyUid, c.seriesUid, c.filePath, c.outcome, c.attribute, c.text, c.bytes, c.at);
        if (c.outcome === 'differs') this.verdicts.contentDiffers(remoteId, c.sopInstanceUid, verdictDetail(c), c.at);
        else if (c.outcome === 'same' || c.outcome === 'transcoded') this.verdicts.contentSame(remoteId, c.sopInstanceUid, c.at);
      }
    });
  }

  async finishContentRun(runId: number, end: ContentSummary['end'], now: number): Promise<void> {
    this.db.sql.prepare('UPDATE content_runs SET finished_at = ?, end_state = ? WHERE id = ?').run(now, end, runId);
  }

  async contentRun(remoteId: number, o: { runId?: number; limit?: number } = {}): Promise<ContentSummary | null> {
    const run = (
      o.runId !== undefined
        ? this.db.sql.prepare(`SELECT ${RUN_COLUMNS} FROM content_runs WHERE id = ? AND remote_id = ?`).get(o.runId, remoteId)
        : this.db.sql.prepare(`SELECT ${RUN_COLUMNS} FROM content_runs WHERE remote_id = ? ORDER BY id DESC LIMIT 1`).get(remoteId)
    ) as RunRow | undefined;
    if (!run) return null;
    const counts = this.db.sql.prepare('SELECT outcome, COUNT(*) AS n FROM content_checks WHERE run_id = ? GROUP BY outcome').all(run.id) as { outcome: ContentOutcome; n: number }[];
    const notSame = this.db.sql
      .prepare(`SELECT ${CHECK_COLUMNS} FROM content_checks WHERE run_id = ? AND outcome <> 'same' ORDER BY ${CONTENT_ORDER} LIMIT ?`)
      .all(run.id, o.limit ?? 1000) as ContentCheckRecord[];
    return contentSummary(run, counts, notSame);
  }
}

/** A run as ContentStore.contentRun gives it, from its row, its outcome counts and the checks not plainly the same. */
export function contentSummary(run: RunRow, byOutcome: readonly { outcome: ContentOutcome; n: number }[], notSame: ContentCheckRecord[]): ContentSummary {
  const counts = { ...NO_CONTENT_COUNTS };
  for (const r of byOutcome) counts[r.outcome] = r.n;
  return {
    runId: run.id,
    remoteId: run.remoteId,
    via: run.via,
    source: run.source,
    sample: run.sample === 'all' ? 'all' : Number(run.sample),
    committed: run.committed,
    checked: run.checked,
    counts,
    end: run.endState === 'cancelled' || run.endState === 'done' ? run.endState : 'unfinished',
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    notSame,
    notSameCount: run.checked > 0 ? Object.values(counts).reduce((a, b) => a + b, 0) - counts.same : 0,
  };
}

/** The verdict's reason: "content differs: (0010,0010) PatientName" (the values stay in the check's text). */
export function verdictDetail(c: ContentCheckRecord): string {
  return c.attribute ? `${CONTENT_DIFFERS}: ${c.attribute}` : c.text;
}
