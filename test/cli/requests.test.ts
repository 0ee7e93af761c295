import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingRequest } from '../../src-shared/outgoing';
import { runCliToEnd, spawnCli } from '../support/cli';
import { answerFor, startFaultServer } from '../support/fault-server';
import { makeLibrary, tempDir, type GeneratedInstance } from '../support/fixtures';

/** safekeep status (header row, --job), cancel and resend, against an archive whose answers the test decides. */
/** Each test runs the command a dozen times (a process start each): generous timeouts on a busy machine. */
const SLOW = 180_000;

describe('safekeep status --job / cancel / resend', () => {
  let root: string;
  let lib: string;
  let instances: GeneratedInstance[];
  let fault: Awaited<ReturnType<typeof startFaultServer>>;
  /** hold: accept and keep working; partial: the first instance of each study fails; all: commit everything. */
  let mode: 'hold' | 'partial' | 'all' = 'hold';
  const data = () => ['--data', path.join(root, 'data')];
  const status = async (job: number) =>
    (JSON.parse((await runCliToEnd(['status', '--job', String(job), '--json', ...data()])).stdout) as { total: number; requests: OutgoingRequest[] }).requests;

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'lib');
    instances = makeLibrary(lib, { studies: 2, seriesPerStudy: 1, instancesPerSeries: 3 });
    const firstOfStudy = new Set([instances[0]!.sopInstanceUid, instances[3]!.sopInstanceUid]);
    fault = await startFaultServer(
      (req, { posted }) => {
        if (mode === 'hold') return req.method === 'POST' || posted.has(req.uid) ? { status: 202, headers: { 'retry-after': '30' } } : { status: 404 };
        if (req.method === 'GET') return posted.has(req.uid) ? answerFor(posted.get(req.uid)!) : { status: 404 };
        return answerFor(posted.get(req.uid)!, (i) => (mode === 'partial' && firstOfStudy.has(i.sopInstanceUid) ? 0x0112 : null));
      },
      { known: new Set(instances.map((i) => i.sopInstanceUid)) },
    );
  });
  afterAll(async () => {
    await fault.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('status has a header row and --job; cancel stops the requests of a job or one request', async () => {
    mode = 'hold';
    const c = await runCliToEnd(['commit', lib, '--to', fault.url, '--no-wait', '--quiet', ...data()]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/\(job 1\)/);

    const table = (await runCliToEnd(['status', ...data()])).stdout.trimEnd().split('\n');
    expect(table[0]).toMatch(/^ID\s+JOB\s+STATE\s+TRANSACTION UID\s+REMOTE\s+INSTANCES\s+COMMITTED\s+FAILED\s+PENDING\s+CREATED\s+NEXT$/);
    expect(table.slice(1)).toHaveLength(2);
    for (const row of table.slice(1)) expect(row).toMatch(/^\s*\d+\s+1\s+working\s+2\.25\.\d+\s+cli: http:\/\/127\.0\.0\.1:\d+\/dicomweb\s+3\s+0\s+0\s+3\s+\d{4}-/);
    // Columns line up: every row starts its Transaction UID where the header says.
    const uidAt = table[0]!.indexOf('TRANSACTION UID');
    for (const row of table.slice(1)) expect(row.slice(uidAt)).toMatch(/^2\.25\./);

    const job = await status(1);
    expect(job.map((r) => [r.jobId, r.state])).toEqual([
      [1, 'working'],
      [1, 'working'],
    ]);
    const detail = await runCliToEnd(['status', job[0]!.transactionUid, ...data()]);
    expect(detail.stdout).toMatch(/^ {2}now: archive is working on it \(HTTP 202\); next Result Check in \d+ s; gives up at /m);

    for (const [args, re] of [
      [['status', '--job', '9'], /No job 9/],
      [['status', job[0]!.transactionUid, '--job', '1'], /Give a Transaction UID or --job N, not both/],
      [['cancel'], /safekeep cancel takes a Transaction UID or --job N/],
      [['cancel', job[0]!.transactionUid, '--job', '1'], /safekeep cancel takes a Transaction UID or --job N/],
      [['cancel', '--job', 'x'], /Invalid --job "x"/],
      [['resend', '--job', '1'], /Nothing to resend in job 1:\n {2}Request \d+ \(2\.25\.\d+\) is still working: wait for its answer, or cancel it first/],
    ] as [string[], RegExp][]) {
      const r = await runCliToEnd([...args, ...data()]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(re);
    }

    const one = await runCliToEnd(['cancel', job[0]!.transactionUid, ...data()]);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(`Cancelled request ${job[0]!.id} (${job[0]!.transactionUid}): 3 instance(s) not verified (failed: Cancelled before the archive answered: not verified)\n`);
    const rest = await runCliToEnd(['cancel', '--job', '1', '--json', ...data()]);
    expect(JSON.parse(rest.stdout)).toEqual({ cancelled: [{ id: job[1]!.id, transactionUid: job[1]!.transactionUid, notVerified: 3 }] });
    expect((await status(1)).map((r) => r.state)).toEqual(['cancelled', 'cancelled']);
    const again = await runCliToEnd(['cancel', job[0]!.transactionUid, ...data()]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is already cancelled/);
    expect((await runCliToEnd(['cancel', '--job', '1', ...data()])).stdout).toMatch(/Nothing to cancel: every request of job 1 has its final answer/);
  }, SLOW);

  it('a commit that is following its requests stops once another process cancels them', async () => {
    mode = 'hold';
    const following = spawnCli(['commit', lib, '--to', fault.url, '--quiet', ...data()]);
    const [, job] = await following.waitFor(/\(job (\d+)\)/);
    while ((await status(Number(job))).some((r) => r.state !== 'working')) await new Promise((r) => setTimeout(r, 100));
    expect((await runCliToEnd(['cancel', '--job', job!, ...data()])).code).toBe(0);
    expect((await following.exited).code).toBe(1);
    expect(following.stdout()).toMatch(/Committed 0 of 6 instance\(s\) in 2 request\(s\); 6 failed; 0 not verified\n  failed: 6 × Cancelled before the archive answered: not verified\nRequests: 2 cancelled/);
  }, SLOW);

  it('resend --job sends cancelled requests again under new UIDs and follows them like commit', async () => {
    mode = 'all';
    const before = await status(1);
    const r = await runCliToEnd(['resend', '--job', '1', '--quiet', ...data()]);
    expect(r.code).toBe(0);
    for (const b of before) expect(r.stdout).toMatch(new RegExp(`Request ${b.id} sent again to .*: 3 instance\\(s\\) under Transaction UID 2\\.25\\.\\d+ \\(was ${b.transactionUid.replace(/\./g, '\\.')}\\)`));
    expect(r.stdout).toMatch(/Committed 6 of 6 instance\(s\) in 2 request\(s\)/);
    const after = await status(1);
    expect(after.map((x) => [x.id, x.state, x.previousUids])).toEqual(before.map((b) => [b.id, 'done', [b.transactionUid]]));
    const nothing = await runCliToEnd(['resend', '--job', '1', ...data()]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/Every instance of request \d+ \(2\.25\.\d+\) is committed: nothing to resend/);
  }, SLOW);

  it('resend --failed-only sends only the instances not committed, once; exit codes as for commit', async () => {
    mode = 'partial';
    const c = await runCliToEnd(['commit', lib, '--to', fault.url, '--quiet', ...data()]);
    expect(c.code).toBe(1);
    const done = await status(3);
    const whole = await runCliToEnd(['resend', done[0]!.transactionUid, ...data()]);
    expect(whole.code).toBe(2);
    expect(whole.stderr).toMatch(/is done \(2 committed, 1 failed\): use --failed-only to send its 1 not committed instance\(s\) again/);

    // Still failing: exit 1, as commit would.
    const still = await runCliToEnd(['resend', done[0]!.transactionUid, '--failed-only', '--json', ...data()]);
    expect(still.code).toBe(1);
    expect(JSON.parse(still.stdout)).toMatchObject({ totals: { requests: 1, instances: 1, committed: 0, failed: 1 } });

    mode = 'all';
    const r = await runCliToEnd(['resend', '--job', '3', '--failed-only', '--quiet', ...data()]);
    expect(r.code).toBe(0);
    // The instance resent just above is asked about once more (its latest answer failed); the other study's too.
    expect(r.stdout).toMatch(/Committed 2 of 2 instance\(s\) in 2 request\(s\)/);
    const job = await status(3);
    expect(job).toHaveLength(5);
    expect(job.slice(0, 2).map((x) => x.instanceCount)).toEqual([1, 1]); // newest first
    const asked: string[][] = [];
    for (const x of job.slice(0, 2)) {
      const one = JSON.parse((await runCliToEnd(['status', x.transactionUid, '--json', ...data()])).stdout) as { instances: { sopInstanceUid: string; outcome: string }[] };
      asked.push(...one.instances.map((i) => [i.sopInstanceUid, i.outcome]));
    }
    expect(asked.sort()).toEqual([instances[0]!.sopInstanceUid, instances[3]!.sopInstanceUid].sort().map((uid) => [uid, 'committed']));
    const third = await runCliToEnd(['resend', '--job', '3', '--failed-only', ...data()]);
    expect(third.code).toBe(2);
    expect(third.stderr).toMatch(/Nothing to resend in job 3:/);
    expect(third.stderr).toMatch(/its 1 instance\(s\) not committed were asked again by a later request of the job/);
  }, SLOW);
});
