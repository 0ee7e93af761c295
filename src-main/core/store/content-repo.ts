import { CONTENT_DIFFERS, NO_CONTENT_COUNTS, type ContentCheckRecord, type ContentOutcome, type ContentSummary } from '../../../src-shared/content';
import type { Db } from './db';
import type { ContentStore } from './ports';
import { VerdictWriter } from './verdict-writer';

export interface ContentRunRow {
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

// Both stores: the aliases are quoted, so that PostgreSQL keeps their case as SQLite does.
export const RUN_COLUMNS = `id, remote_id AS "remoteId", via, source, sample, committed, checked, started_at AS "startedAt",
  finished_at AS "finishedAt", end_state AS "endState"`;

export const CHECK_COLUMNS = `sop_instance_uid AS "sopInstanceUid", study_uid AS "studyUid", series_uid AS "seriesUid", file_path AS "filePath",
  outcome, attribute, text, bytes, at`;

/** The checks of a run that are not plainly the same, differences first: they are what the engineer acts on. */
export const NOT_SAME = `SELECT ${CHECK_COLUMNS} FROM content_checks WHERE run_id = ? AND outcome <> 'same'
  ORDER BY CASE outcome WHEN 'differs' THEN 0 WHEN 'not-retrievable' THEN 1 WHEN 'local-changed' THEN 2 ELSE 3 END, id LIMIT ?`;

export const RUN_BY_ID = `SELECT ${RUN_COLUMNS} FROM content_runs WHERE id = ? AND remote_id = ?`;
export const LATEST_RUN = `SELECT ${RUN_COLUMNS} FROM content_runs WHERE remote_id = ? ORDER BY id DESC LIMIT 1`;
export const RUN_COUNTS = 'SELECT outcome, COUNT(*) AS n FROM content_checks WHERE run_id = ? GROUP BY outcome';
export const NOT_SAME_LIMIT = 1000;

export const START_RUN = 'INSERT INTO content_runs (remote_id, via, source, sample, committed, checked, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)';
export const startRunArgs = (o: Parameters<ContentStore['startContentRun']>[0]) => [o.remoteId, o.via, o.source, String(o.sample), o.committed, o.checked, o.now] as const;
export const INSERT_CHECK = `INSERT INTO content_checks (run_id, remote_id, sop_instance_uid, study_uid, series_uid, file_path, outcome, attribute, text, bytes, at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
export const checkArgs = (runId: number, remoteId: number, c: ContentCheckRecord) =>
  [runId, remoteId, c.sopInstanceUid, c.studyUid, c.seriesUid, c.filePath, c.outcome, c.attribute, c.text, c.bytes, c.at] as const;
export const FINISH_RUN = 'UPDATE content_runs SET finished_at = ?, end_state = ? WHERE id = ?';

/** Content check runs and outcomes in SQLite; the verdicts they act on through the verdict writer. */
export class ContentRepo implements ContentStore {
  private readonly verdicts: VerdictWriter;

  constructor(private readonly db: Db) {
    this.verdicts = new VerdictWriter(db);
  }

  async startContentRun(o: Parameters<ContentStore['startContentRun']>[0]): Promise<number> {
    const r = this.db.sql.prepare(START_RUN).run(...startRunArgs(o));
    return Number(r.lastInsertRowid);
  }

  async recordContentChecks(runId: number, remoteId: number, records: readonly ContentCheckRecord[]): Promise<void> {
    if (records.length === 0) return;
    const stmt = this.db.sql.prepare(INSERT_CHECK);
    this.db.tx(() => {
      for (const c of records) {
        stmt.run(...checkArgs(runId, remoteId, c));
        if (c.outcome === 'differs') this.verdicts.contentDiffers(remoteId, c.sopInstanceUid, verdictDetail(c), c.at);
        else if (c.outcome === 'same' || c.outcome === 'transcoded') this.verdicts.contentSame(remoteId, c.sopInstanceUid, c.at);
      }
    });
  }

  async finishContentRun(runId: number, end: ContentSummary['end'], now: number): Promise<void> {
    this.db.sql.prepare(FINISH_RUN).run(now, end, runId);
  }

  async contentRun(remoteId: number, o: { runId?: number; limit?: number } = {}): Promise<ContentSummary | null> {
    const run = (
      o.runId !== undefined ? this.db.sql.prepare(RUN_BY_ID).get(o.runId, remoteId) : this.db.sql.prepare(LATEST_RUN).get(remoteId)
    ) as ContentRunRow | undefined;
    if (!run) return null;
    const counts = this.db.sql.prepare(RUN_COUNTS).all(run.id) as { outcome: ContentOutcome; n: number }[];
    const notSame = this.db.sql.prepare(NOT_SAME).all(run.id, o.limit ?? NOT_SAME_LIMIT) as ContentCheckRecord[];
    return contentSummary(run, counts, notSame);
  }
}

/** A run as shown, from its row, its counts per outcome and its not-same checks (both stores). */
export function contentSummary(run: ContentRunRow, byOutcome: readonly { outcome: ContentOutcome; n: number }[], notSame: ContentCheckRecord[]): ContentSummary {
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
