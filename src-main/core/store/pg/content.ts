import type { ContentCheckRecord, ContentOutcome, ContentSummary } from '../../../../src-shared/content';
import {
  checkArgs,
  contentSummary,
  FINISH_RUN,
  INSERT_CHECK,
  LATEST_RUN,
  NOT_SAME,
  NOT_SAME_LIMIT,
  RUN_BY_ID,
  RUN_COUNTS,
  START_RUN,
  startRunArgs,
  verdictDetail,
  type ContentRunRow,
} from '../content-repo';
import type { ContentStore } from '../ports';
import { CONTENT_DIFFERS_SQL, CONTENT_SAME_SQL, contentDiffersArgs, contentSameArgs } from '../verdict-writer';
import type { PgDb } from './db';

/**
 * "Compare content" runs and checks in PostgreSQL (the twin of content-repo.ts, same statements). A batch of
 * checks and the verdicts it fails or restores are one transaction; each check's verdict change follows it in
 * order, as in SQLite, so an instance checked twice in one batch ends as its last check says.
 */
export class PgContentRepo implements ContentStore {
  constructor(private readonly db: PgDb) {}

  async startContentRun(o: Parameters<ContentStore['startContentRun']>[0]): Promise<number> {
    const [run] = await this.db.tx((t) => t.returning<{ id: number }>(`${START_RUN} RETURNING id`, startRunArgs(o)));
    return run!.id;
  }

  async recordContentChecks(runId: number, remoteId: number, records: readonly ContentCheckRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.tx(async (t) => {
      for (const c of records) {
        await t.run(INSERT_CHECK, checkArgs(runId, remoteId, c));
        if (c.outcome === 'differs') await t.run(CONTENT_DIFFERS_SQL, contentDiffersArgs(remoteId, c.sopInstanceUid, verdictDetail(c), c.at));
        else if (c.outcome === 'same' || c.outcome === 'transcoded') await t.run(CONTENT_SAME_SQL, contentSameArgs(remoteId, c.sopInstanceUid, c.at));
      }
    });
  }

  async finishContentRun(runId: number, end: ContentSummary['end'], now: number): Promise<void> {
    await this.db.run(FINISH_RUN, [now, end, runId]);
  }

  async contentRun(remoteId: number, o: { runId?: number; limit?: number } = {}): Promise<ContentSummary | null> {
    const run = o.runId !== undefined ? await this.db.row<ContentRunRow>(RUN_BY_ID, [o.runId, remoteId]) : await this.db.row<ContentRunRow>(LATEST_RUN, [remoteId]);
    if (!run) return null;
    const counts = await this.db.rows<{ outcome: ContentOutcome; n: number }>(RUN_COUNTS, [run.id]);
    const notSame = await this.db.rows<ContentCheckRecord>(NOT_SAME, [run.id, o.limit ?? NOT_SAME_LIMIT]);
    return contentSummary(run, counts, notSame);
  }
}
