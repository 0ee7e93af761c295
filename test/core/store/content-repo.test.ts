import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContentStore, OutgoingStore } from '../../../src-main/core/store/ports';
import type { DataTable } from '../../../src-shared/contract/events';
import type { ContentCheckRecord, ContentOutcome } from '../../../src-shared/content';
import { tempDir } from '../../support/fixtures';
import { openTestStore, testRow, testRows, type TestStore } from '../../support/store';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const uid = (k: number) => `1.2.9.1.${k}`;

let dir: string;
let store: TestStore;
let outgoing: OutgoingStore;
let content: ContentStore;

beforeEach(async () => {
  dir = tempDir();
  store = await openTestStore(dir);
  ({ outgoing, content } = store);
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A job of 4 instances at remote 1: 0 and 1 committed (1 "Committed after re-send"), 2 failed 0112H, 3 pending. */
async function seed(): Promise<void> {
  const instances = [0, 1, 2, 3].map((k) => ({
    sopClassUid: CT, sopInstanceUid: uid(k), studyUid: '1.2.9.1', seriesUid: '1.2.9.1.0', filePath: `/lib/${k}`, fileSize: 100, fileMtimeMs: 1, patientId: null, accessionNumber: null, studyDate: null,
  }));
  const { requestIds } = await outgoing.createJob({ remoteId: 1, remoteName: 'PACS', label: 'job', form: 'study', now: 1000, requests: [{ transactionUid: '2.25.1', form: 'study', studyUid: '1.2.9.1', label: null, instances }] });
  await outgoing.complete(
    requestIds[0]!,
    [
      { seq: 0, outcome: 'committed', failureReason: null, detail: null },
      { seq: 1, outcome: 'committed', failureReason: null, detail: 'Committed after re-send' },
      { seq: 2, outcome: 'failed', failureReason: 0x0112, detail: null },
    ],
    { state: 'working' },
    2000,
  );
}

const check = (k: number, outcome: ContentOutcome, at: number, attribute: string | null = null): ContentCheckRecord => ({
  sopInstanceUid: uid(k), studyUid: '1.2.9.1', seriesUid: '1.2.9.1.0', filePath: `/lib/${k}`, outcome, attribute, text: attribute ? `content differs: ${attribute}: local "A", archive "B"` : outcome, bytes: 10, at,
});

const verdicts = async () =>
  (
    await testRows<{ uid: string; outcome: string; reason: number | null; detail: string | null }>(
      store,
      `SELECT sop_instance_uid AS uid, outcome, failure_reason AS reason, detail FROM verdicts WHERE remote_id = 1 ORDER BY sop_instance_uid`,
    )
  ).map((v) => `${v.outcome}${v.reason ? ` ${v.reason}` : ''}${v.detail ? `: ${v.detail}` : ''}`);

describe('ContentRepo: content checks and the verdicts they act on', () => {
  it('"differs" fails a committed verdict with the first attribute; not a failed or pending one; "same" later restores the archive\'s answer', async () => {
    await seed();
    const run = await content.startContentRun({ remoteId: 1, via: 'C-GET', source: 'PACS@h:104', sample: 'all', committed: 2, checked: 4, now: 3000 });
    await content.recordContentChecks(run, 1, [
      check(0, 'differs', 3001, '(0010,0010) PatientName'),
      check(1, 'differs', 3002, 'ReferencedImageSequence (0008,1140) item 1 > (0008,1155) ReferencedSOPInstanceUID'),
      check(2, 'differs', 3003, '(0010,0020) PatientID'),
      check(3, 'not-retrievable', 3004),
    ]);
    expect(await verdicts()).toEqual([
      'failed: content differs: (0010,0010) PatientName',
      'failed: content differs: ReferencedImageSequence (0008,1140) item 1 > (0008,1155) ReferencedSOPInstanceUID',
      `failed ${0x0112}`,
      'pending',
    ]);
    expect((await testRow<{ d: number }>(store, `SELECT decided_at AS d FROM verdicts WHERE sop_instance_uid = ?`, [uid(0)]))!.d).toBe(3001);
    await content.finishContentRun(run, 'done', 3010);

    const again = await content.startContentRun({ remoteId: 1, via: 'C-GET', source: 'PACS@h:104', sample: 10, committed: 2, checked: 2, now: 4000 });
    await content.recordContentChecks(again, 1, [check(0, 'same', 4001), check(1, 'transcoded', 4002), check(2, 'same', 4003)]);
    // Back to what the archive answered, its words included; the 0112H failure is not turned into committed.
    expect(await verdicts()).toEqual(['committed', 'committed: Committed after re-send', `failed ${0x0112}`, 'pending']);
  });

  it('contentRun: the counts, the not-same instances differences first, the latest run of the archive by default', async () => {
    await seed();
    expect(await content.contentRun(1)).toBeNull();
    const run = await content.startContentRun({ remoteId: 1, via: 'WADO-RS', source: 'http://a/dicom-web', sample: 12.5, committed: 2, checked: 3, now: 3000 });
    await content.recordContentChecks(run, 1, [check(3, 'local-changed', 3001), check(1, 'same', 3002), check(0, 'differs', 3003, '(0010,0010) PatientName')]);
    await content.finishContentRun(run, 'cancelled', 3100);
    const s = await content.contentRun(1);
    expect(s).toMatchObject({ runId: run, remoteId: 1, via: 'WADO-RS', source: 'http://a/dicom-web', sample: 12.5, committed: 2, checked: 3, end: 'cancelled', startedAt: 3000, finishedAt: 3100, notSameCount: 2 });
    expect(s!.counts).toEqual({ same: 1, transcoded: 0, differs: 1, 'not-retrievable': 0, 'local-changed': 1 });
    expect(s!.notSame.map((r) => [r.sopInstanceUid, r.outcome])).toEqual([[uid(0), 'differs'], [uid(3), 'local-changed']]);
    expect(await content.contentRun(2)).toBeNull();
    expect(await content.contentRun(1, { runId: run + 1 })).toBeNull();
  });

  it('a batch is one transaction: a check the store refuses leaves no check of the batch and no verdict changed', async () => {
    await seed();
    const run = await content.startContentRun({ remoteId: 1, via: 'C-GET', source: 'PACS@h:104', sample: 'all', committed: 2, checked: 2, now: 3000 });
    const refused = { ...check(1, 'same', 3002), outcome: 'unheard-of' as ContentOutcome };
    await expect(content.recordContentChecks(run, 1, [check(0, 'differs', 3001, '(0010,0010) PatientName'), refused])).rejects.toThrow();
    expect(await verdicts()).toEqual(['committed', 'committed: Committed after re-send', `failed ${0x0112}`, 'pending']);
    expect(await testRows(store, 'SELECT id FROM content_checks')).toEqual([]);
  });

  it('every write is announced as the verdicts (the run, its checks, its end)', async () => {
    await seed();
    store.changes.flush();
    const announced: DataTable[][] = [];
    store.changes.subscribe((t) => announced.push(t));
    const run = await content.startContentRun({ remoteId: 1, via: 'C-GET', source: 'PACS@h:104', sample: 'all', committed: 2, checked: 1, now: 3000 });
    store.changes.flush();
    await content.recordContentChecks(run, 1, [check(3, 'not-retrievable', 3001)]);
    store.changes.flush();
    await content.finishContentRun(run, 'done', 3002);
    store.changes.flush();
    expect(announced).toEqual([['verdicts'], ['verdicts'], ['verdicts']]);
  });
});
