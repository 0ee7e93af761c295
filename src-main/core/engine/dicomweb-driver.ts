import { buildCommitmentRequest } from '../codec/request-json';
import type { RequestedInstance } from '../../../src-shared/commitment/model';
import type { OutgoingInstance, OutgoingRequest } from '../../../src-shared/outgoing';
import type { DicomwebRemoteConfig } from '../../../src-shared/remotes';
import { DicomwebClient, TransportError, type HttpAnswer } from '../remotes/dicomweb-client';
import type { RemoteWithSecret } from '../store/ports';
import { ERROR_BACKOFF, nextDelayMs, POLL_BACKOFF } from './backoff';
import { explainError, isMissingService, noCommitmentService, probeCommitmentService } from './dicomweb-test';
import type { Driver, DriverContext } from './driver';
import { interpretResult, parseAnswer } from './response-check';
import { newTransactionUid } from './transaction-uid';

const HOUR = 3600_000;

/**
 * The user agent side of DICOMweb Storage Commitment (PS3.18 §13) for one request:
 * POST, then Result Checks until Done, honouring Retry-After. Every transition is
 * written to the store before the next message is sent.
 */
export class DicomwebDriver implements Driver {
  private readonly clients = new Map<number, { key: string; client: DicomwebClient }>();

  private client(remote: RemoteWithSecret & { kind: 'dicomweb' }): DicomwebClient {
    // A remote edited in the app gets a new client (new URL, token, CA...).
    const key = JSON.stringify([remote.config, remote.secret]);
    const existing = this.clients.get(remote.id);
    if (existing?.key === key) return existing.client;
    void existing?.client.close();
    const client = new DicomwebClient(remote.config, remote.secret);
    this.clients.set(remote.id, { key, client });
    return client;
  }

  async step(r: OutgoingRequest, remote: RemoteWithSecret, ctx: DriverContext): Promise<void> {
    if (remote.kind !== 'dicomweb') throw new Error('DicomwebDriver got a DIMSE remote');
    const config = remote.config;
    const now = ctx.clock.now();
    const deadline = config.deadlineHours * HOUR;
    const { outgoing } = ctx;
    const done = () => ctx.changed(r.id);

    // The deadline runs from the first send (Working, or still retrying because the archive is down).
    const since = r.workingSince ?? r.sentAt;
    if (since !== null && now - since > deadline) {
      await outgoing.failPending(r.id, `Timed out: no final answer within ${config.deadlineHours} h`, { state: 'timed_out', completedAt: now, nextAttemptAt: null }, now, null, [r.state]);
      return done();
    }

    let client: DicomwebClient;
    try {
      client = this.client(remote);
    } catch (e) {
      const why = `Cannot use remote "${remote.name}": ${(e as Error).message}`;
      await outgoing.failPending(r.id, why, { state: 'failed', error: why, completedAt: now, nextAttemptAt: null }, now, null, [r.state]);
      return done();
    }

    if (r.state === 'queued') {
      // Persist "posting" first: if we die before the answer, the next run asks before re-posting. Not if it was cancelled meanwhile.
      if (!(await outgoing.patch(r.id, { state: 'posting', sentAt: r.sentAt ?? now, attempts: r.attempts + 1, nextAttemptAt: null }, ['queued']))) return done();
      done();
      const body = JSON.stringify(buildCommitmentRequest((await outgoing.instancesOf(r.id)).map((i) => toRequested(i, r))));
      let answer: HttpAnswer;
      try {
        answer = await client.post(r.transactionUid, body);
      } catch (e) {
        return this.transportFailure(r, e, ctx, r.attempts + 1, 'queued');
      }
      return this.onAnswer(r, answer, 'POST', config, ctx);
    }

    // checking (a POST whose answer was lost) or working (polling): a Result Check.
    let answer: HttpAnswer;
    try {
      answer = await client.get(r.transactionUid);
    } catch (e) {
      return this.transportFailure(r, e, ctx, r.polls + 1, r.state === 'working' ? 'working' : 'checking');
    }
    return this.onAnswer(r, answer, 'GET', config, ctx);
  }

  /**
   * Stores what the answer means. Every write is conditional on the state the message left in (`from`): a
   * request cancelled while the message was on its way keeps the user's word.
   */
  private async onAnswer(r: OutgoingRequest, a: HttpAnswer, method: 'POST' | 'GET', config: DicomwebRemoteConfig, ctx: DriverContext): Promise<void> {
    const { outgoing } = ctx;
    const now = ctx.clock.now();
    const from = [method === 'POST' ? 'posting' : r.state] as const;
    const polls = method === 'GET' ? r.polls + 1 : r.polls;
    const base = { lastContactAt: now, httpStatus: a.status, polls };
    const ra = a.headers['retry-after'];
    const explain = () => explainError(a);

    if (a.status === 200) {
      const requested = await outgoing.instancesOf(r.id);
      const { results, problem } = interpretResult(requested, () => parseAnswer(a.body, a.headers['content-type']));
      await outgoing.complete(
        r.id,
        results,
        { ...base, state: 'done', completedAt: now, nextAttemptAt: null, error: problem, rawResponse: problem ? a.body.slice(0, 5_000_000) : null },
        now,
        from,
      );
    } else if (a.status === 202) {
      const next = now + nextDelayMs(ra, method === 'GET' ? polls : 0, POLL_BACKOFF, now);
      await outgoing.patch(r.id, { ...base, state: 'working', workingSince: r.workingSince ?? now, nextAttemptAt: next, error: null }, from);
    } else if (method === 'POST' && a.status === 409 && r.proxyFor) {
      // A proxy must keep the requester's Transaction UID (spec §7.1): the upstream already has it.
      const error = `The upstream archive answered 409: Transaction UID ${r.transactionUid} is already in use there`;
      await outgoing.failPending(r.id, error, { ...base, state: 'failed', error, completedAt: now, nextAttemptAt: null }, now, 0x0131, from);
    } else if (method === 'POST' && a.status === 409) {
      // The UID is taken at the archive (not by us: we never re-post). Start over with a new one.
      const error = `Transaction UID ${r.transactionUid} was already in use at the archive (409); resent with a new UID`;
      await outgoing.changeUid(r.id, newTransactionUid(), { ...base, state: 'queued', nextAttemptAt: now, error }, from);
    } else if (method === 'GET' && r.state === 'checking' && a.status === 404) {
      // The lost POST never arrived: posting it now is safe.
      await outgoing.patch(r.id, { ...base, state: 'queued', nextAttemptAt: now, error: null }, from);
    } else if (method === 'GET' && (a.status === 404 || a.status === 410)) {
      const why = a.status === 410 ? 'deleted the result (410 Gone)' : 'no longer knows this transaction (404)';
      const lost = { ...base, state: 'lost', error: `The archive ${why}`, completedAt: now, nextAttemptAt: null } as const;
      await outgoing.failPending(r.id, `Lost by the archive: it ${why}; resend to verify again`, lost, now, null, from);
    } else if (a.status === 503 || a.status === 429 || a.status >= 500) {
      const attempt = method === 'POST' ? r.attempts + 1 : polls;
      const back = method === 'POST' ? 'queued' : r.state === 'working' ? 'working' : 'checking';
      const error = `HTTP ${a.status} from the archive: ${explain()}; retrying`;
      await outgoing.patch(r.id, { ...base, state: back, nextAttemptAt: now + nextDelayMs(ra, attempt, ERROR_BACKOFF, now), error }, from);
    } else {
      const error =
        method === 'POST' && isMissingService(a.status)
          ? noCommitmentService(config.baseUrl, a)
          : `The archive refused the ${method === 'POST' ? 'request' : 'Result Check'}: HTTP ${a.status}: ${explain()}`;
      await outgoing.failPending(r.id, error, { ...base, state: 'failed', error, completedAt: now, nextAttemptAt: null, rawResponse: a.body.slice(0, 100_000) }, now, null, from);
    }
    ctx.changed(r.id);
    ctx.wake();
  }

  private async transportFailure(r: OutgoingRequest, e: unknown, ctx: DriverContext, attempt: number, fallback: 'queued' | 'working' | 'checking'): Promise<void> {
    const now = ctx.clock.now();
    const te = e instanceof TransportError ? e : new TransportError('other', String(e), true);
    // A POST that may have arrived is never re-posted blindly: ask first.
    const state = fallback === 'queued' && te.delivered ? 'checking' : fallback;
    const patch = { state, nextAttemptAt: now + nextDelayMs(null, attempt, ERROR_BACKOFF, now), error: `${te.message}; retrying`, ...(fallback === 'queued' ? {} : { polls: attempt }) };
    // Not when it was cancelled while the message was on its way.
    if (!(await ctx.outgoing.patch(r.id, patch, [fallback === 'queued' ? 'posting' : r.state]))) return;
    ctx.changed(r.id);
    ctx.wake();
  }

  async test(remote: RemoteWithSecret): Promise<{ ok: boolean; message: string }> {
    if (remote.kind !== 'dicomweb') throw new Error('not a DICOMweb remote');
    let client: DicomwebClient;
    try {
      client = new DicomwebClient(remote.config, remote.secret);
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    try {
      return await probeCommitmentService(client, remote.config.baseUrl);
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    } finally {
      await client.close();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.client.close()));
    this.clients.clear();
  }
}

function toRequested(i: OutgoingInstance, r: OutgoingRequest): RequestedInstance {
  return r.form === 'study' && i.studyUid && i.seriesUid
    ? { form: 'study', sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, studyUid: i.studyUid, seriesUid: i.seriesUid }
    : { form: 'flat', sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid };
}
