import { afterEach, describe, expect, it, vi } from 'vitest';
import { answerFor, startFaultServer, type Behavior } from '../../support/fault-server';
import { startClient, type ClientHarness } from '../../support/engine-harness';
import type { DicomwebRemoteConfig } from '../../../src-shared/remotes';
import type { RequestedInstance } from '../../../src-shared/commitment/model';
import { buildCommitmentResponse } from '../../../src-main/core/codec/response-json';
import { VirtualScheduler } from '../../support/virtual-scheduler';

let client: ClientHarness | undefined;
let server: Awaited<ReturnType<typeof startFaultServer>> | undefined;
/** The engine runs on virtual time: its waits take no real time, and the gaps between attempts are exact. */
let time: VirtualScheduler | undefined;

async function setup(behavior: Behavior, config: Partial<DicomwebRemoteConfig> = {}, library = { studies: 1, seriesPerStudy: 1, instancesPerSeries: 4 }) {
  time = new VirtualScheduler();
  client = await startClient(library, { scheduler: time });
  const engine = client.core.outgoing.engine;
  time.whenIdle(() => engine.idle);
  server = await startFaultServer(behavior, { clock: time });
  return { c: client, s: server, remote: await client.addRemote(server.url, config, config.auth === 'bearer' ? 'the-token' : null) };
}

afterEach(async () => {
  vi.restoreAllMocks();
  await client?.close();
  await server?.close();
  time?.stop();
  client = server = time = undefined;
});

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);
const methods = (s: { method: string }[]) => s.map((x) => x.method);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('engine against a misbehaving archive', () => {
  it('honours Retry-After on 503 and never asks faster', async () => {
    let posts = 0;
    const { c, s, remote } = await setup((req, { posted }) =>
      req.method === 'POST' && ++posts <= 2 ? { status: 503, headers: { 'retry-after': '1' } } : answerFor(posted.get(req.uid)!),
    );
    const job = await c.commitAll(remote);
    expect(await c.core.outgoing.read.get(job.requestIds[0]!)).toMatchObject({ state: 'done', committedCount: 4, attempts: 3, error: null });
    expect(methods(s.seen)).toEqual(['POST', 'POST', 'POST']);
    expect(gaps(s.seen.map((x) => x.at))).toEqual([1000, 1000]);
  });

  it('backs off exponentially on 503 without Retry-After, and on 429', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // the jitter: half of each attempt's random half
    let posts = 0;
    const { c, s, remote } = await setup((req, { posted }) => {
      if (req.method === 'POST' && ++posts <= 2) return { status: posts === 1 ? 503 : 429 };
      return answerFor(posted.get(req.uid)!);
    });
    await c.commitAll(remote);
    // Attempt 1: 1-2 s, attempt 2: 2-4 s; with the jitter at its middle, exactly 1.5 s and 3 s.
    expect(gaps(s.seen.map((x) => x.at))).toEqual([1500, 3000]);
  });

  it('a dropped POST is checked with a GET first, and re-posted only when the archive never got it', async () => {
    let first = true;
    const { c, s, remote } = await setup((req, { posted }) => {
      if (req.method === 'POST' && first) {
        first = false;
        posted.delete(req.uid); // as if it never arrived
        return { drop: true };
      }
      if (req.method === 'GET') return posted.has(req.uid) ? answerFor(posted.get(req.uid)!) : { status: 404 };
      return answerFor(posted.get(req.uid)!);
    });
    const job = await c.commitAll(remote);
    expect(methods(s.seen)).toEqual(['POST', 'GET', 'POST']);
    expect(await c.core.outgoing.read.get(job.requestIds[0]!)).toMatchObject({ state: 'done', committedCount: 4 });
  });

  it('a POST that stalls past the timeout is not re-posted when the archive did get it', async () => {
    let stalled = false;
    const { c, s, remote } = await setup(
      (req, { posted }) => {
        if (req.method === 'POST' && !stalled) {
          stalled = true;
          return { stall: true };
        }
        return answerFor(posted.get(req.uid)!);
      },
      { timeoutSeconds: 1 },
    );
    const job = await c.commitAll(remote);
    expect(methods(s.seen)).toEqual(['POST', 'GET']);
    expect(await c.core.outgoing.read.get(job.requestIds[0]!)).toMatchObject({ state: 'done', committedCount: 4, attempts: 1 });
  });

  it('never accepts garbage: every instance is failed as an invalid response and the raw answer is kept', async () => {
    const { c, remote } = await setup(() => ({ status: 200, body: '<html>proxy error</html>' }));
    const job = await c.commitAll(remote);
    const id = job.requestIds[0]!;
    const r = await c.core.outgoing.read.get(id);
    expect(r).toMatchObject({ state: 'done', committedCount: 0, failedCount: 4 });
    expect(r.error).toMatch(/Invalid response: the archive's answer is malformed/);
    expect(await c.core.store.outgoing.rawResponse(id)).toBe('<html>proxy error</html>');
    const rows = (await c.core.outgoing.read.instances(id, { limit: 10, offset: 0 })).rows;
    expect(rows.every((i) => i.outcome === 'failed' && i.failureReason === null && /Invalid response/.test(i.detail!))).toBe(true);
  });

  it('flags an answer that contradicts the request, instance by instance', async () => {
    const { c, remote } = await setup((req, { posted }) => {
      // a: committed; b: not mentioned; d: both committed and failed; last: failed 0112H; plus one never asked for.
      const [a, , d, last] = posted.get(req.uid)! as [RequestedInstance, RequestedInstance, RequestedInstance, RequestedInstance];
      const extra = { ...a, sopInstanceUid: '1.2.3.999' };
      const body = buildCommitmentResponse({
        committed: [a, d, extra],
        failed: [
          { ...d, failureReason: 0x0110 },
          { ...last, failureReason: 0x0112 },
        ],
      });
      return { status: 200, body: JSON.stringify(body) };
    });
    const job = await c.commitAll(remote);
    const id = job.requestIds[0]!;
    const r = await c.core.outgoing.read.get(id);
    expect(r.error).toMatch(/contradicts the request: 1 requested instance\(s\) missing from the answer, 1 listed more than once, 1 instance\(s\) that were not requested/);
    const rows = (await c.core.outgoing.read.instances(id, { limit: 10, offset: 0 })).rows;
    expect(rows.map((i) => [i.outcome, i.failureReason, i.detail?.replace(/:.*/, '') ?? null])).toEqual([
      ['committed', null, null],
      ['failed', null, 'Invalid response'],
      ['failed', null, 'Invalid response'],
      ['failed', 0x0112, null],
    ]);
    expect(await c.core.store.outgoing.rawResponse(id)).toContain('1.2.3.999');
  });

  it('404 while polling: lost by the archive, then a resend with a new UID succeeds', async () => {
    let polls = 0;
    const { c, s, remote } = await setup((req, { posted }) => {
      if (req.method === 'POST' && s_lost(req.uid)) return { status: 202, headers: { 'retry-after': '1' } };
      if (req.method === 'GET') return ++polls === 1 ? { status: 202, headers: { 'retry-after': '1' } } : { status: 404 };
      return answerFor(posted.get(req.uid)!);
    });
    const firstUid = () => s.seen[0]!.uid;
    const s_lost = (uid: string) => s.seen.length === 1 || uid === firstUid();
    const job = await c.commitAll(remote);
    const id = job.requestIds[0]!;
    expect(await c.core.outgoing.read.get(id)).toMatchObject({ state: 'lost', failedCount: 4 });
    expect((await c.core.outgoing.read.instances(id, { limit: 1, offset: 0 })).rows[0]!.detail).toMatch(/Lost by the archive/);
    const resent = await c.core.outgoing.engine.resend(id);
    expect(resent.previousUids).toEqual([firstUid()]);
    await c.core.outgoing.engine.waitFor([id]);
    expect(await c.core.outgoing.read.get(id)).toMatchObject({ state: 'done', committedCount: 4, failedCount: 0 });
    expect(methods(s.seen)).toEqual(['POST', 'GET', 'GET', 'POST']);
    expect(s.seen[3]!.uid).not.toBe(firstUid());
  });

  it('409 on POST: starts over with a new Transaction UID', async () => {
    const { c, s, remote } = await setup((req, { seen, posted }) =>
      seen.length === 1 ? { status: 409, body: JSON.stringify({ error: 'in use' }) } : answerFor(posted.get(req.uid)!),
    );
    const job = await c.commitAll(remote);
    const r = await c.core.outgoing.read.get(job.requestIds[0]!);
    expect(r).toMatchObject({ state: 'done', committedCount: 4, transactionUid: s.seen[1]!.uid, previousUids: [s.seen[0]!.uid] });
    expect(s.seen[0]!.uid).not.toBe(s.seen[1]!.uid);
  });

  it('fails the request with the archive\'s explanation on other 4xx', async () => {
    const { c, remote } = await setup(() => ({
      status: 400,
      headers: { warning: '299 archive "0115: bad"' },
      body: JSON.stringify({ error: 'ReferencedSOPSequence (0008,1199): is empty' }),
    }));
    const job = await c.commitAll(remote);
    const r = await c.core.outgoing.read.get(job.requestIds[0]!);
    expect(r.state).toBe('failed');
    expect(r.error).toBe('The archive refused the request: HTTP 400: ReferencedSOPSequence (0008,1199): is empty — Warning: 299 archive "0115: bad"');
    expect(r.failedCount).toBe(4);
  });

  it('polls a Working request no faster than Retry-After and sends the bearer token', async () => {
    let polls = 0;
    const { c, s, remote } = await setup(
      (req, { posted }) => {
        if (req.method === 'POST') return { status: 202, headers: { 'retry-after': '1' } };
        return ++polls < 3 ? { status: 202, headers: { 'retry-after': '1' } } : answerFor(posted.get(req.uid)!);
      },
      { auth: 'bearer' },
    );
    const job = await c.commitAll(remote);
    expect(await c.core.outgoing.read.get(job.requestIds[0]!)).toMatchObject({ state: 'done', polls: 3, committedCount: 4 });
    expect(methods(s.seen)).toEqual(['POST', 'GET', 'GET', 'GET']);
    expect(gaps(s.seen.map((x) => x.at))).toEqual([1000, 1000, 1000]);
    expect(s.seen.every((x) => x.authorization === 'Bearer the-token')).toBe(true);
  });

  it('marks a request Working past its deadline as timed out', async () => {
    const { c, remote } = await setup(() => ({ status: 202, headers: { 'retry-after': '1' } }), { deadlineHours: 1 / 3600 });
    const job = await c.commitAll(remote);
    const r = await c.core.outgoing.read.get(job.requestIds[0]!);
    expect(r.state).toBe('timed_out');
    expect((await c.core.outgoing.read.instances(r.id, { limit: 1, offset: 0 })).rows[0]!.detail).toMatch(/Timed out/);
  });

  it('cancel stops the polling and says cancelled', async () => {
    const { c, s, remote } = await setup(() => ({ status: 202, headers: { 'retry-after': '1' } }));
    const job = await c.commitAll(remote, 'study', false);
    const id = job.requestIds[0]!;
    while (!s.seen.some((x) => x.method === 'GET')) await sleep(1);
    await c.core.outgoing.engine.cancel(id);
    const count = s.seen.length;
    await time!.advance(2500);
    expect(s.seen.length).toBe(count);
    // Not left pending for ever: the request, its instances and the verdicts agree that nothing was verified.
    expect(await c.core.outgoing.read.get(id)).toMatchObject({ state: 'cancelled', failedCount: 4, committedCount: 0 });
    const rows = (await c.core.outgoing.read.instances(id, { limit: 10, offset: 0 })).rows;
    expect(rows.map((r) => [r.outcome, r.detail])).toEqual(Array(4).fill(['failed', 'Cancelled before the archive answered: not verified']));
    expect(await c.core.store.reports.totals({ remoteId: remote })).toEqual({ instances: 4, committed: 0, failed: 4, pending: 0 });
    await expect(c.core.outgoing.engine.cancel(id)).rejects.toThrow(/already cancelled/);
  });

  it('keeps to the remote\'s concurrency limit', async () => {
    let open = 0;
    let most = 0;
    const { c, remote } = await setup(
      async (req, { posted }) => {
        open++;
        most = Math.max(most, open);
        await sleep(200);
        open--;
        return answerFor(posted.get(req.uid)!);
      },
      { concurrency: 2 },
      { studies: 6, seriesPerStudy: 1, instancesPerSeries: 2 },
    );
    const job = await c.commitAll(remote);
    expect(job.requestIds).toHaveLength(6);
    expect(most).toBe(2);
  });
});
