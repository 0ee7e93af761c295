import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateArgs } from '../../../src-main/core/api/validate';
import type { HandlerName, ArgsOf } from '../../../src-shared/contract/schemas';
import type { SafekeepResults } from '../../../src-shared/contract/handlers';
import { answerFor, startFaultServer } from '../../support/fault-server';
import { startClient, type ClientHarness } from '../../support/engine-harness';

/**
 * The report handlers on a real core, after a job against a real HTTP archive that lacks some
 * instances, a resend of those once the archive has them, and a request cancelled mid-way.
 */
describe('report handlers', () => {
  let c: ClientHarness;
  let server: Awaited<ReturnType<typeof startFaultServer>>;
  let remote: number;
  let jobId: number;
  const missing = new Set<string>();
  let archiveHasAll = false;

  const call = async <K extends HandlerName>(name: K, args: ArgsOf<K>): Promise<SafekeepResults[K]> =>
    (c.core.handlers[name] as (a: unknown) => SafekeepResults[K] | Promise<SafekeepResults[K]>)(validateArgs(name, args));

  beforeAll(async () => {
    c = await startClient({ studies: 2, seriesPerStudy: 1, instancesPerSeries: 3 });
    // The second instance of each study is missing; study 2's answers also carry an uncoded failure text.
    c.instances.filter((_, k) => k % 3 === 1).forEach((i) => missing.add(i.sopInstanceUid));
    server = await startFaultServer((req, { posted }) =>
      answerFor(posted.get(req.uid)!, (i) => (!archiveHasAll && missing.has(i.sopInstanceUid) ? 0x0112 : null)),
    );
    remote = await c.addRemote(server.url);
    jobId = (await c.commitAll(remote)).jobId;
  });
  afterAll(async () => {
    await c.close();
    await server.close();
  });

  it('the job report before and after "Resend N not committed": each instance once, the resent ones committed', async () => {
    const before = await call('report-summary', { jobId });
    expect(before.totals).toEqual({ instances: 6, committed: 4, failed: 2, pending: 0, neverAsked: null });
    expect(before.failureReasons).toEqual([{ code: 0x0112, meaning: 'No such object instance', count: 2 }]);
    expect(before.job).toMatchObject({ id: jobId, label: `6 instance(s) to remote 1` });
    expect(before.archives).toEqual([{ remoteId: remote, name: 'remote 1', kind: 'dicomweb', address: server.url, verdicts: 6 }]);

    archiveHasAll = true;
    const resent = [];
    for (const r of (await c.core.outgoing.read.list({ limit: 10, offset: 0, jobId })).rows) resent.push((await c.core.outgoing.engine.resendFailed(r.id)).id);
    await c.core.outgoing.engine.waitFor(resent);

    const after = await call('report-summary', { jobId });
    expect(after.totals).toEqual({ instances: 6, committed: 6, failed: 0, pending: 0, neverAsked: null });
    expect(after.requests).toBe(4);
    const archive = await call('report-summary', { remoteId: remote });
    expect(archive.totals).toEqual({ instances: 6, committed: 6, failed: 0, pending: 0, neverAsked: 0 });
    // The history of the requests still shows both rounds.
    const ids = (await c.core.outgoing.read.list({ limit: 10, offset: 0, jobId })).rows.map((r) => r.id);
    expect((await call('report-summary', { requestIds: ids })).totals).toMatchObject({ instances: 8, committed: 6, failed: 2 });

    const studies = await call('report-studies', { jobId });
    expect(studies.total).toBe(2);
    expect(studies.rows.map((s) => [s.patientId, s.studyDate, s.instances, s.committed, s.failed, s.pending])).toEqual([
      ['PID1', '20260101', 3, 3, 0, 0],
      ['PID2', '20260101', 3, 3, 0, 0],
    ]);
  });

  it('the CSV: one row per instance, the new columns, and the SHA-256 of exactly its bytes', async () => {
    const r = await call('report-csv', { remoteId: remote });
    expect(r.sha256).toBe(createHash('sha256').update(Buffer.from(r.csv, 'utf8')).digest('hex'));
    expect(r.filename).toMatch(/^safekeep-report-remote-1-\d{4}-.*\.csv$/);
    const rows = parse(r.csv, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(6);
    expect(r.rows).toBe(6);
    expect(new Set(rows.map((x) => x.sop_instance_uid)).size).toBe(6);
    const one = rows.find((x) => x.sop_instance_uid === c.instances[0]!.sopInstanceUid)!;
    expect(one).toMatchObject({ outcome: 'committed', patient_id: 'PID1', study_date: '20260101', job_label: '6 instance(s) to remote 1', remote: 'remote 1', file_path: c.instances[0]!.path });
    expect(Object.keys(one).slice(-4)).toEqual(['patient_id', 'accession_number', 'study_date', 'job_label']);
  });

  it('safe to delete: committed and unchanged only; a changed and a deleted file are left out and counted', async () => {
    const changed = c.instances[0]!.path;
    const gone = c.instances[3]!.path;
    fs.appendFileSync(changed, Buffer.alloc(16));
    fs.rmSync(gone);
    const r = await call('report-safe-to-delete', { remoteId: remote });
    expect(r.text.split('\n').filter(Boolean).sort()).toEqual(
      c.instances.filter((i) => i.path !== changed && i.path !== gone).map((i) => i.path).sort(),
    );
    expect(r.files).toBe(4);
    expect(r.leftOut).toEqual({ changed: 1, missing: 1, unknownState: 0, unlistable: 0, failed: 0, pending: 0, neverAsked: 0 });
    expect(r.sha256).toBe(createHash('sha256').update(r.text).digest('hex'));
  });

  it('a cancelled request: its instances failed as not verified, in Outgoing, the verdicts and the summary alike', async () => {
    server.posted.clear();
    const stalled = await startFaultServer(() => ({ status: 202, headers: { 'retry-after': '60' } }));
    try {
      const other = await c.addRemote(stalled.url);
      const job = await c.commitAll(other, 'flat', false);
      await c.core.outgoing.engine.waitUntil(job.requestIds[0]!, (r) => r.state === 'working');
      await c.core.outgoing.engine.cancel(job.requestIds[0]!);
      const s = await call('report-summary', { remoteId: other });
      expect(s.totals).toEqual({ instances: 6, committed: 0, failed: 6, pending: 0, neverAsked: 0 });
      expect(s.failureReasons).toEqual([{ code: null, meaning: 'Cancelled before the archive answered: not verified', count: 6 }]);
      expect(await c.core.outgoing.read.get(job.requestIds[0]!)).toMatchObject({ state: 'cancelled', failedCount: 6 });
      const archives = await call('report-archives', {});
      expect(archives.map((a) => [a.name, a.verdicts])).toEqual([
        ['remote 1', 6],
        ['remote 2', 6],
      ]);
      expect((await call('report-instance', { sopInstanceUid: c.instances[1]!.sopInstanceUid })).map((v) => [v.remoteName, v.outcome])).toEqual([
        ['remote 1', 'committed'],
        ['remote 2', 'failed'],
      ]);
    } finally {
      await stalled.close();
    }
  });

  it('a failure reason is grouped by its whole text, never cut at a colon', async () => {
    const { jobId: j } = (await c.core.store.outgoing.createJob({
      remoteId: remote,
      remoteName: 'remote 1',
      label: 'aborted',
      form: 'flat',
      now: Date.now(),
      requests: [{ transactionUid: '2.25.42', form: 'flat', studyUid: null, label: null, instances: [{ sopClassUid: '1.2.3', sopInstanceUid: '1.2.3.4', studyUid: '1.2', seriesUid: '1.2.1', filePath: null }] }],
    }));
    const id = (await c.core.outgoing.read.list({ limit: 1, offset: 0, jobId: j })).rows[0]!.id;
    await c.core.store.outgoing.failPending(id, 'association aborted by ARCHIVE (A-ABORT, source: service-provider, reason: 2)', { state: 'failed' }, Date.now());
    const s = await call('report-summary', { jobId: j });
    expect(s.failureReasons).toEqual([{ code: null, meaning: 'association aborted by ARCHIVE (A-ABORT, source: service-provider, reason: 2)', count: 1 }]);
    expect(s.failed[0]!.reason).toBe('association aborted by ARCHIVE (A-ABORT, source: service-provider, reason: 2)');
  });

  it('the timeline of a job: cumulative committed / failed / pending, ending where the job stands', async () => {
    const t = await call('report-timeline', { jobId, buckets: 10 });
    expect(t.running).toBe(false);
    expect(t.points[0]).toMatchObject({ committed: 0, failed: 0, pending: 6 });
    expect(t.points.at(-1)).toMatchObject({ committed: 6, failed: 0, pending: 0 });
    for (const p of t.points) expect(p.committed + p.failed + p.pending).toBe(6);
    expect(t.points.map((p) => p.at)).toEqual([...t.points.map((p) => p.at)].sort((a, b) => a - b));
  });

  it('clear errors for a scope that does not exist or does not agree', async () => {
    await expect(call('report-summary', { jobId: 999 })).rejects.toMatchObject({ code: 'not-found', message: 'No job 999' });
    await expect(call('report-summary', { remoteId: 999 })).rejects.toMatchObject({ code: 'not-found' });
    await expect(call('report-summary', { jobId, remoteId: remote + 1 })).rejects.toMatchObject({ code: 'bad-request' });
    expect(() => validateArgs('report-csv', { jobId, requestIds: [1] })).toThrow(/Give a job or requests, not both/);
    expect(() => validateArgs('report-safe-to-delete', {})).toThrow(/remoteId/);
  });
});
