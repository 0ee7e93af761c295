import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlannedInstance } from '../../../src-main/core/store/outgoing-repo';
import type { OutgoingStore, ReportStore } from '../../../src-main/core/store/ports';
import { tempDir } from '../../support/fixtures';
import { openTestStore, testRow, type TestStore } from '../../support/store';

const CT = '1.2.840.10008.5.1.4.1.1.2';

/** Instance k of study s (files /lib/s/k, 100 + k bytes). */
function inst(s: number, k: number): PlannedInstance {
  return {
    sopClassUid: CT,
    sopInstanceUid: `1.2.9.${s}.${k}`,
    studyUid: `1.2.9.${s}`,
    seriesUid: `1.2.9.${s}.0`,
    filePath: `/lib/${s}/${k}`,
    fileSize: 100 + k,
    fileMtimeMs: 1_700_000_000_000 + k,
    patientId: `PID${s}`,
    accessionNumber: `ACC${s}`,
    studyDate: '20260101',
  };
}

let dir: string;
let store: TestStore;
let outgoing: OutgoingStore;
let reports: ReportStore;

beforeEach(async () => {
  dir = tempDir();
  store = await openTestStore(dir);
  ({ outgoing, reports } = store);
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function job(remoteId: number, studies: PlannedInstance[][], now: number, label = 'Batch 1') {
  return outgoing.createJob({
    remoteId,
    remoteName: `remote ${remoteId}`,
    label,
    form: 'study',
    now,
    requests: studies.map((instances, k) => ({ transactionUid: `2.25.${now}${k}`, form: 'study', studyUid: instances[0]!.studyUid, label: null, instances })),
  });
}

function verdict(remoteId: number, sop: string) {
  return testRow<Record<string, unknown>>(
    store,
    `SELECT outcome, failure_reason AS "failureReason", detail, transaction_uid AS "transactionUid", request_id AS "requestId", job_id AS "jobId",
       decided_at AS "decidedAt", updated_at AS "updatedAt", file_size AS "fileSize", file_mtime_ms AS "fileMtimeMs", patient_id AS "patientId",
       accession_number AS "accessionNumber", study_date AS "studyDate", file_path AS "filePath"
     FROM verdicts WHERE remote_id = ? AND sop_instance_uid = ?`,
    [remoteId, sop],
  );
}

async function batchesOf<T>(batches: AsyncIterable<T[]>): Promise<T[][]> {
  const all: T[][] = [];
  for await (const b of batches) all.push(b);
  return all;
}

const count = async () => (await testRow<{ n: number }>(store, `SELECT COUNT(*) AS n FROM verdicts`))!.n;

describe('verdicts, kept by OutgoingRepo in the same transaction as every outcome', () => {
  it('a new job: every instance pending, with the file state and patient data as planned', async () => {
    const { jobId, requestIds } = await job(1, [[inst(1, 1), inst(1, 2)], [inst(2, 1)]], 1000);
    expect(await count()).toBe(3);
    expect(await verdict(1, '1.2.9.1.2')).toEqual({
      outcome: 'pending',
      failureReason: null,
      detail: null,
      transactionUid: (await outgoing.get(requestIds[0]!)).transactionUid,
      requestId: requestIds[0],
      jobId,
      decidedAt: null,
      updatedAt: 1000,
      fileSize: 102,
      fileMtimeMs: 1_700_000_000_002,
      patientId: 'PID1',
      accessionNumber: 'ACC1',
      studyDate: '20260101',
      filePath: '/lib/1/2',
    });
  });

  it('complete and failPending: committed and failed with reason and time; a decided instance keeps its outcome', async () => {
    const { requestIds } = await job(1, [[inst(1, 1), inst(1, 2), inst(1, 3)]], 1000);
    const id = requestIds[0]!;
    await outgoing.complete(id, [{ seq: 0, outcome: 'committed', failureReason: null, detail: null }], { state: 'working' }, 2000);
    await outgoing.failPending(id, 'association aborted by ARCHIVE (A-ABORT, source: service-user, reason: 0)', { state: 'failed' }, 3000);
    expect(await verdict(1, '1.2.9.1.1')).toMatchObject({ outcome: 'committed', decidedAt: 2000, updatedAt: 2000 });
    expect(await verdict(1, '1.2.9.1.3')).toMatchObject({
      outcome: 'failed',
      failureReason: null,
      detail: 'association aborted by ARCHIVE (A-ABORT, source: service-user, reason: 0)',
      decidedAt: 3000,
    });
    // Outgoing agrees.
    expect(await outgoing.get(id)).toMatchObject({ committedCount: 1, failedCount: 2 });
    expect(await reports.totals({ remoteId: 1 })).toEqual({ instances: 3, committed: 1, failed: 2, pending: 0 });
  });

  it('resend of the not committed (a follow-up): the job report counts each instance once, the resent ones committed', async () => {
    const { jobId, requestIds } = await job(1, [[inst(1, 1), inst(1, 2), inst(1, 3)]], 1000);
    const first = await outgoing.get(requestIds[0]!);
    await outgoing.complete(
      first.id,
      [
        { seq: 0, outcome: 'committed', failureReason: null, detail: null },
        { seq: 1, outcome: 'failed', failureReason: 0x0112, detail: null },
        { seq: 2, outcome: 'failed', failureReason: 0x0112, detail: null },
      ],
      { state: 'done' },
      2000,
    );
    const planned = await outgoing.notCommitted(first.id);
    expect(planned.map((p) => [p.sopInstanceUid, p.fileSize, p.patientId])).toEqual([
      ['1.2.9.1.2', 102, 'PID1'],
      ['1.2.9.1.3', 103, 'PID1'],
    ]);
    // Before any follow-up, the job's rows are read without looking for later ones.
    expect((await batchesOf(reports.rowBatches({ jobId }))).flat()).toHaveLength(3);
    const follow = await outgoing.createFollowUp(first, { transactionUid: '2.25.77', form: 'study', studyUid: '1.2.9.1', label: 'resend', instances: planned }, 3000);
    expect(await testRow(store, `SELECT follow_up_of AS of FROM outgoing WHERE id = ?`, [follow])).toEqual({ of: first.id });
    expect(await verdict(1, '1.2.9.1.2')).toMatchObject({ outcome: 'pending', requestId: follow, transactionUid: '2.25.77', jobId });
    expect(await reports.totals({ jobId })).toEqual({ instances: 3, committed: 1, failed: 0, pending: 2 });
    await outgoing.complete(
      follow,
      [
        { seq: 0, outcome: 'committed', failureReason: null, detail: null },
        { seq: 1, outcome: 'committed', failureReason: null, detail: null },
      ],
      { state: 'done' },
      4000,
    );
    expect(await reports.totals({ jobId })).toEqual({ instances: 3, committed: 3, failed: 0, pending: 0 });
    expect(await reports.totals({ remoteId: 1 })).toEqual({ instances: 3, committed: 3, failed: 0, pending: 0 });
    // The job's rows: one per instance, the latest; the requests' rows: history, 5 rows.
    const jobRows = (await batchesOf(reports.rowBatches({ jobId }))).flat();
    expect(jobRows.map((r) => [r.sopInstanceUid, r.outcome, r.transactionUid])).toEqual([
      ['1.2.9.1.1', 'committed', first.transactionUid],
      ['1.2.9.1.2', 'committed', '2.25.77'],
      ['1.2.9.1.3', 'committed', '2.25.77'],
    ]);
    expect((await batchesOf(reports.rowBatches({ requestIds: [first.id, follow] }))).flat()).toHaveLength(5);
    expect(await reports.studies({ jobId }, { limit: 10, offset: 0 })).toEqual({
      rows: [{ studyUid: '1.2.9.1', patientId: 'PID1', accessionNumber: 'ACC1', studyDate: '20260101', instances: 3, committed: 3, failed: 0, pending: 0 }],
      total: 1,
    });
  });

  it('reset for a resend: back to pending under the new UID; a 409 renames the verdicts too', async () => {
    const { requestIds } = await job(1, [[inst(1, 1), inst(1, 2)]], 1000);
    const id = requestIds[0]!;
    await outgoing.changeUid(id, '2.25.409', { state: 'queued' });
    expect(await verdict(1, '1.2.9.1.1')).toMatchObject({ outcome: 'pending', transactionUid: '2.25.409' });
    await outgoing.failPending(id, 'Lost by the archive', { state: 'lost' }, 2000);
    await outgoing.reset(id, '2.25.555', 3000);
    expect(await verdict(1, '1.2.9.1.2')).toMatchObject({ outcome: 'pending', transactionUid: '2.25.555', decidedAt: null, updatedAt: 3000, detail: null });
  });

  it('latest event wins across jobs of one archive; another archive has its own verdict', async () => {
    const a = await job(1, [[inst(1, 1)]], 1000);
    await outgoing.complete(a.requestIds[0]!, [{ seq: 0, outcome: 'failed', failureReason: 0x0110, detail: null }], { state: 'done' }, 2000);
    const b = await job(1, [[inst(1, 1)]], 3000, 'Batch 2');
    expect(await verdict(1, '1.2.9.1.1')).toMatchObject({ outcome: 'pending', jobId: b.jobId });
    await outgoing.complete(b.requestIds[0]!, [{ seq: 0, outcome: 'committed', failureReason: null, detail: null }], { state: 'done' }, 4000);
    expect(await verdict(1, '1.2.9.1.1')).toMatchObject({ outcome: 'committed', jobId: b.jobId, decidedAt: 4000 });
    // Job 1 still says what job 1 found.
    expect(await reports.totals({ jobId: a.jobId })).toMatchObject({ failed: 1, committed: 0 });
    const c = await job(2, [[inst(1, 1)]], 5000);
    expect(await verdict(2, '1.2.9.1.1')).toMatchObject({ outcome: 'pending', jobId: c.jobId });
    expect(await verdict(1, '1.2.9.1.1')).toMatchObject({ outcome: 'committed' });
    expect(await count()).toBe(2);
    expect((await reports.instanceVerdicts('1.2.9.1.1')).map((v) => [v.remoteId, v.outcome])).toEqual([
      [1, 'committed'],
      [2, 'pending'],
    ]);
  });

  it('a proxied request (no job) gives no verdict', async () => {
    await outgoing.createSingle(1, 'upstream', { transactionUid: '2.25.5', proxyFor: '2.25.5', form: 'flat', studyUid: null, label: null, instances: [inst(1, 1)] }, 1000);
    expect(await count()).toBe(0);
  });

  it('reads big reports in batches after the last key, in study order, each row once', async () => {
    const studies = [3, 1, 2].map((s) => [5, 4, 3, 2, 1].map((k) => inst(s, k)));
    await job(1, studies, 1000);
    const batches = await batchesOf(reports.rowBatches({ remoteId: 1 }, 4));
    expect(batches.map((b) => b.length)).toEqual([4, 4, 4, 3]);
    const uids = batches.flat().map((r) => r.sopInstanceUid);
    expect(uids).toEqual([...uids].sort());
    expect(new Set(uids).size).toBe(15);
    expect(batches.flat()[0]).toMatchObject({ remoteName: 'remote 1', jobLabel: 'Batch 1', patientId: 'PID1', requestState: 'queued', outcome: 'pending' });
    // Every archive: the same rows (one archive here), ordered by archive first.
    expect((await batchesOf(reports.rowBatches({}, 7))).flat().map((r) => r.sopInstanceUid)).toEqual(uids);
  });
});
