import { buildCommitmentRequest } from '../codec/request-json';
import type { RequestedInstance } from '../../../src-shared/commitment/model';
import type { OutgoingInstance, OutgoingRequest } from '../../../src-shared/outgoing';
import type { DicomwebRemoteConfig } from '../../../src-shared/remotes';
import { DicomwebClient, TransportError, type HttpAnswer } from '../remotes/dicomweb-client';
import type { RemoteWithSecret } from '../remotes/model/remote';
import { ERROR_BACKOFF, nextDelayMs, POLL_BACKOFF } from './backoff';
import { explainError, isMissingService, noCommitmentService, probeCommitmentService } from './dicomweb-test';
import type { Driver, DriverContext } from './driver';
import type { Fields } from './lifecycle';
import { interpretResult, parseAnswer, RAW_ANSWER_CAP } from './response-check';
import { newTransactionUid } from './transaction-uid';

const HOUR = 3600_000;
/** Most of a refusal's body kept with the request. */
const RAW_REFUSAL_CAP = 100_000;

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
    const now = ctx.scheduler.now();
    const deadline = config.deadlineHours * HOUR;
    const { outgoing, lifecycle } = ctx;
    const done = () => ctx.changed(r.id);

    // The deadline runs from the first send (Working, or still retrying because the archive is down).
    const since = r.workingSince ?? r.sentAt;
    if (since !== null && now - since > deadline) {
      await lifecycle.failPending(r.id, r.state, 'deadline', { detail: `Timed out: no final answer within ${config.deadlineHours} h`, now }, { completedAt: now, nextAttemptAt: null });
      return done();
    }

    let client: DicomwebClient;
    try {
      client = this.client(remote);
    } catch (e) {
      const why = `Cannot use remote "${remote.name}": ${(e as Error).message}`;
      await lifecycle.failPending(r.id, r.state, 'refused', { detail: why, now }, { error: why, completedAt: now, nextAttemptAt: null });
      return done();
    }

    if (r.state === 'queued') {
      // Persist "posting" first: if we die before the answer, the next run asks before re-posting. Not if it was cancelled meanwhile.
      if (!(await lifecycle.move(r.id, 'queued', 'send', { sentAt: r.sentAt ?? now, attempts: r.attempts + 1, nextAttemptAt: null }))) return done();
      done();
      const body = JSON.stringify(buildCommitmentRequest((await outgoing.instancesOf(r.id)).map((i) => toRequested(i, r))));
      let answer: HttpAnswer;
      try {
        answer = await client.post(r.transactionUid, body);
      } catch (e) {
        return this.transportFailure(r, e, ctx, r.attempts + 1);
      }
      return this.onAnswer(r, answer, 'POST', config, ctx);
    }

    // checking (a POST whose answer was lost) or working (polling): a Result Check.
    let answer: HttpAnswer;
    try {
      answer = await client.get(r.transactionUid);
    } catch (e) {
      return this.transportFailure(r, e, ctx, r.polls + 1);
    }
    return this.onAnswer(r, answer, 'GET', config, ctx);
  }

  /**
   * Stores what the answer means, as an event of the request's lifecycle. Every write is conditional on the
   * state the message left in (`from`): a request cancelled while the message was on its way keeps the user's word.
   */
  private async onAnswer(r: OutgoingRequest, a: HttpAnswer, method: 'POST' | 'GET', config: DicomwebRemoteConfig, ctx: DriverContext): Promise<void> {
    const { outgoing, lifecycle } = ctx;
    const now = ctx.scheduler.now();
    const from = method === 'POST' ? 'posting' : r.state;
    const polls = method === 'GET' ? r.polls + 1 : r.polls;
    const base = { lastContactAt: now, status: a.status, polls };
    const ra = a.headers['retry-after'];
    const explain = () => explainError(a);
    const fail = (event: 'refused' | 'lost', detail: string, fields: Fields, failureReason: number | null = null) =>
      lifecycle.failPending(r.id, from, event, { detail, failureReason, now }, { ...base, completedAt: now, nextAttemptAt: null, ...fields });

    if (a.status === 200) {
      const requested = await outgoing.instancesOf(r.id);
      const { results, problem } = interpretResult(requested, () => parseAnswer(a.body, a.headers['content-type']));
      const fields = { ...base, completedAt: now, nextAttemptAt: null, error: problem, rawResponse: problem ? a.body.slice(0, RAW_ANSWER_CAP) : null };
      await lifecycle.complete(r.id, from, 'answered', results, fields, now);
    } else if (a.status === 202) {
      const next = now + nextDelayMs(ra, method === 'GET' ? polls : 0, POLL_BACKOFF, now);
      await lifecycle.move(r.id, from, 'accepted', { ...base, workingSince: r.workingSince ?? now, nextAttemptAt: next, error: null });
    } else if (method === 'POST' && a.status === 409 && r.proxyFor) {
      // A proxy must keep the requester's Transaction UID (spec §7.1): the upstream already has it.
      const error = `The upstream archive answered 409: Transaction UID ${r.transactionUid} is already in use there`;
      await fail('refused', error, { error }, 0x0131);
    } else if (method === 'POST' && a.status === 409) {
      // The UID is taken at the archive (not by us: we never re-post). Start over with a new one.
      const error = `Transaction UID ${r.transactionUid} was already in use at the archive (409); resent with a new UID`;
      await lifecycle.renew(r.id, from, 'new-uid', newTransactionUid(), { ...base, nextAttemptAt: now, error });
    } else if (method === 'GET' && r.state === 'checking' && a.status === 404) {
      // The lost POST never arrived: posting it now is safe.
      await lifecycle.move(r.id, from, 'not-received', { ...base, nextAttemptAt: now, error: null });
    } else if (method === 'GET' && (a.status === 404 || a.status === 410)) {
      const why = a.status === 410 ? 'deleted the result (410 Gone)' : 'no longer knows this transaction (404)';
      await fail('lost', `Lost by the archive: it ${why}; resend to verify again`, { error: `The archive ${why}` });
    } else if (a.status === 503 || a.status === 429 || a.status >= 500) {
      const attempt = method === 'POST' ? r.attempts + 1 : polls;
      const error = `HTTP ${a.status} from the archive: ${explain()}; retrying`;
      await lifecycle.move(r.id, from, 'retry', { ...base, nextAttemptAt: now + nextDelayMs(ra, attempt, ERROR_BACKOFF, now), error });
    } else {
      const error =
        method === 'POST' && isMissingService(a.status)
          ? noCommitmentService(config.baseUrl, a)
          : `The archive refused the ${method === 'POST' ? 'request' : 'Result Check'}: HTTP ${a.status}: ${explain()}`;
      await fail('refused', error, { error, rawResponse: a.body.slice(0, RAW_REFUSAL_CAP) });
    }
    ctx.changed(r.id);
    ctx.wake();
  }

  /** A POST or Result Check that got no answer: tried again later; a POST that may have arrived is asked about first. */
  private async transportFailure(r: OutgoingRequest, e: unknown, ctx: DriverContext, attempt: number): Promise<void> {
    const now = ctx.scheduler.now();
    const te = e instanceof TransportError ? e : new TransportError('other', String(e), true);
    const from = r.state === 'queued' ? 'posting' : r.state;
    // A POST that may have arrived is never re-posted blindly: ask first.
    const event = from === 'posting' && te.delivered ? 'unsure' : 'retry';
    const fields = { nextAttemptAt: now + nextDelayMs(null, attempt, ERROR_BACKOFF, now), error: `${te.message}; retrying`, ...(from === 'posting' ? {} : { polls: attempt }) };
    // Not when it was cancelled while the message was on its way.
    if (!(await ctx.lifecycle.move(r.id, from, event, fields))) return;
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
