import { AppError } from '../../../src-shared/contract/errors';
import type { RequestedInstance } from '../../../src-shared/commitment/model';
import { describeStatus } from '../dimse/types';
import { describeFailureReason, FailureReason } from '../../../src-shared/dicom/failure-reasons';
import { isFinal, type OutgoingProtocol, type OutgoingRequest } from '../../../src-shared/outgoing';
import { ARGUMENT_STATUSES } from '../engine/dimse-driver';
import type { Engine } from '../engine/engine';
import { isNotFound } from '../store/not-found';
import type { OutgoingStore, RemotesStore } from '../store/ports';
import type { Decision } from './model/transaction';
import type { CommitmentPolicy, PolicyJob } from './policy';

/** Instances per second a forwarded transaction is expected to take (the upstream sets the pace). */
const FORWARD_RATE = 1000;
/** The Retry-After of a forwarded transaction still Working. */
const FORWARD_RETRY_AFTER_S = 2;
/** The Retry-After of a request refused because the upstream did not take it (it may be restarting). */
const UPSTREAM_REFUSED_RETRY_AFTER_S = 30;

/** The upstream said the request itself was wrong (not that it is busy or down): a DIMSE argument status, or a 4xx but 409. */
function isArgumentError(protocol: OutgoingProtocol, status: number): boolean {
  return protocol === 'dimse' ? ARGUMENT_STATUSES.has(status) : status >= 400 && status < 500 && status !== 409;
}

/**
 * "Forward to remote X": Safekeep commits an instance when the upstream archive does
 * (PS3.18 Annex B.30). An incoming transaction becomes an outgoing request with the
 * same Transaction UID, sent by the engine (N-ACTION to a DIMSE archive, or POST to a
 * DICOMweb one); its per-instance answer becomes this transaction's answer. Works from
 * both sides: the DICOMweb origin server (DICOMweb -> DIMSE) and the DIMSE SCP
 * (DIMSE -> DICOMweb).
 */
export class ForwardPolicy implements CommitmentPolicy {
  readonly id: string;

  constructor(
    private readonly remoteId: number,
    private readonly deps: { engine: Engine; outgoing: OutgoingStore; remotes: RemotesStore },
  ) {
    this.id = `forward:${remoteId}`;
  }

  async describe(): Promise<string> {
    try {
      const r = await this.deps.remotes.get(this.remoteId);
      return `Forward to the ${r.kind === 'dimse' ? 'DIMSE' : 'DICOMweb'} archive "${r.name}": committed when it commits`;
    } catch (e) {
      if (isNotFound(e, 'remote')) return `Forward to remote ${this.remoteId} (deleted)`;
      throw e;
    }
  }

  expectedRate(): number {
    return FORWARD_RATE;
  }

  retryAfterSeconds(): number {
    return FORWARD_RETRY_AFTER_S;
  }

  /** Sends the request upstream before the requester gets its answer; refusal there is refusal here. */
  async admit(t: { transactionUid: string; instances: readonly RequestedInstance[] }): Promise<void> {
    const remote = await this.deps.remotes.get(this.remoteId);
    const id = await this.deps.engine.submitProxy(this.remoteId, t.transactionUid, t.instances);
    const r = await this.deps.engine.waitUntil(id, (x) => x.attempts >= 1 && x.state !== 'posting');
    if (r.state === 'failed' || r.state === 'queued') {
      // Never accepted upstream: forget it, so that the requester may try the same UID again.
      await this.deps.engine.withdraw(id);
      const argumentError = r.state === 'failed' && r.status !== null && isArgumentError(r.protocol, r.status);
      const upstream = r.protocol === 'dimse' && r.status !== null && r.state === 'failed' ? ` (${describeStatus(r.status)})` : '';
      throw new AppError(argumentError ? 'bad-request' : 'unavailable', `The upstream archive "${remote.name}" did not accept the request${upstream}: ${r.error ?? r.state}`, {
        ...(argumentError ? {} : { retryAfter: UPSTREAM_REFUSED_RETRY_AFTER_S }),
      });
    }
  }

  async process(job: PolicyJob): Promise<void> {
    const instances = job.instances;
    const existing = await this.deps.outgoing.findByProxyFor(job.transactionUid);
    const id = existing?.id ?? (await this.deps.engine.submitProxy(this.remoteId, job.transactionUid, instances));
    const final = await this.deps.engine.waitUntil(id, (r) => isFinal(r.state), job.signal);
    await job.report(await this.decisions(final, instances));
  }

  private async decisions(r: OutgoingRequest, instances: PolicyJob['instances']): Promise<Decision[]> {
    const upstream = new Map((await this.deps.outgoing.instancesOf(r.id)).map((i) => [i.sopInstanceUid, i]));
    return instances.map((i): Decision => {
      const u = upstream.get(i.sopInstanceUid);
      if (u?.outcome === 'committed') return { seq: i.seq, outcome: 'committed' };
      const reason = u?.failureReason ?? FailureReason.ProcessingFailure;
      const detail =
        r.state === 'done'
          ? `Upstream "${r.remoteName}": ${u?.detail ?? (u?.failureReason != null ? describeFailureReason(u.failureReason) : 'not committed')}`
          : `Upstream "${r.remoteName}" request ${r.state}: ${r.error ?? u?.detail ?? 'no answer'}`;
      return { seq: i.seq, outcome: 'failed', failureReason: reason, detail };
    });
  }
}
