import { dimseDeadline, type DimseListenerState } from '../../../src-shared/dimse';
import type { OutgoingRequest } from '../../../src-shared/outgoing';
import type { DimseRemoteConfig } from '../../../src-shared/remotes';
import type { ReportProbes } from '../dimse/report-probes';
import { sendCommitmentRequest } from '../dimse/scu';
import { dimseAddressOf } from '../dimse/dimse-address';
import { describeStatus, DimseError, type CommitmentReport } from '../dimse/types';
import type { RemoteWithSecret } from '../remotes/model/remote';
import { ERROR_BACKOFF, backoffMs, type BackoffPolicy } from './backoff';
import { dimseRoundTrip, SAME_ASSOCIATION_REPORT_WAIT_MS } from './dimse-round-trip';
import { associationFix, retryText, waitingText } from './dimse-text';
import type { Scheduler } from '../scheduler';
import type { Driver, DriverContext } from './driver';
import { newTransactionUid } from './transaction-uid';

/** Statuses of an N-ACTION-RSP that say the request itself was wrong (the proxy answers 400 for these). */
export const ARGUMENT_STATUSES = new Set([0x0114, 0x0115, 0x0117, 0x0118, 0x0119, 0x0123, 0x0212]);

export interface DimseDriverDeps {
  /** A report that came on the N-ACTION association (the core's intake). */
  onReport: (r: CommitmentReport) => Promise<number>;
  /** Safekeep's DICOM listener, where archives send reports on a new association. */
  listener: () => DimseListenerState;
  /** Makes the listener admit this archive's report association before the N-ACTION goes out. */
  knowRemotes: () => Promise<void>;
  /** How long after the N-ACTION was accepted a missing report is announced. */
  reportTimeoutMs: () => Promise<number>;
  probes: ReportProbes;
  /** Between N-ACTION attempts after a transient failure (default: 1 s doubling up to 5 min). */
  retryBackoff?: BackoffPolicy;
  /** The Test's wait for its report. */
  scheduler: Scheduler;
}

/**
 * Safekeep as DIMSE Storage Commitment SCU (PS3.4 Annex J) for one request: the N-ACTION,
 * then waiting for the N-EVENT-REPORT (which the core's intake applies when it arrives, on the
 * same association or a new one to Safekeep's listener) until the request's deadline.
 * A failed association is retried until that deadline, under a new Transaction UID whenever
 * the N-ACTION may have arrived (a late report for an earlier UID still completes the request).
 */
export class DimseDriver implements Driver {
  constructor(private readonly deps: DimseDriverDeps) {}

  async step(r: OutgoingRequest, remote: RemoteWithSecret, ctx: DriverContext): Promise<void> {
    if (remote.kind !== 'dimse') throw new Error('DimseDriver got a DICOMweb remote');
    const c = remote.config;
    const { outgoing, lifecycle } = ctx;
    const now = ctx.scheduler.now();
    const deadline = dimseDeadline(r, c.deadlineHours);
    if (deadline !== null && now >= deadline) return this.timeOut(r, c, ctx, now);
    if (r.state === 'checking' || r.state === 'posting') {
      // Safekeep stopped while the N-ACTION was on its way: it may have arrived, but its report
      // found no listener. Ask again under a new UID (never reuse the old one) — unless a late report completed it meanwhile.
      const error = 'Safekeep stopped while sending the N-ACTION: sending it again under a new Transaction UID';
      await lifecycle.renew(r.id, r.state, 'new-uid', newTransactionUid(), { nextAttemptAt: now, error });
      ctx.changed(r.id);
      return ctx.wake();
    }
    if (r.state === 'working') return this.awaitReport(r, c, ctx, now, deadline ?? now);

    // queued: persist "posting" first — the report may arrive before the N-ACTION-RSP.
    if (!(await lifecycle.move(r.id, 'queued', 'send', { sentAt: r.sentAt ?? now, attempts: r.attempts + 1, nextAttemptAt: null }))) {
      return ctx.changed(r.id); // cancelled meanwhile
    }
    ctx.changed(r.id);
    const instances = (await outgoing.instancesOf(r.id)).map((i) => ({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid }));
    await this.deps.knowRemotes();
    let status: number;
    try {
      ({ status } = await sendCommitmentRequest({
        callingAeTitle: c.callingAeTitle,
        called: dimseAddressOf(c),
        timeoutMs: c.timeoutSeconds * 1000,
        transactionUid: r.transactionUid,
        instances,
        // Archives that report on the same association do it right away; others use a new one.
        waitForReportMs: SAME_ASSOCIATION_REPORT_WAIT_MS,
        onReport: this.deps.onReport,
      }));
    } catch (e) {
      return this.associationFailure(r.id, e, c, ctx, dimseDeadline({ sentAt: r.sentAt ?? now }, c.deadlineHours)!);
    }
    const after = ctx.scheduler.now();
    // Every write below only while it is still 'posting': the report (or a cancel) may have come first.
    const current = await outgoing.get(r.id);
    if (current.state !== 'posting') return ctx.changed(r.id);
    if (status !== 0) {
      const why = `The archive refused the N-ACTION: ${describeStatus(status)}`;
      await lifecycle.failPending(r.id, 'posting', 'refused', { detail: why, now: after }, { completedAt: after, nextAttemptAt: null, error: why, status, lastContactAt: after });
    } else {
      const noteAt = after + (await this.deps.reportTimeoutMs());
      const end = dimseDeadline(current, c.deadlineHours) ?? noteAt;
      // The report tells the outcome; the accepting 0000H is not kept as the archive's status.
      await lifecycle.move(r.id, 'posting', 'accepted', { workingSince: after, lastContactAt: after, nextAttemptAt: Math.min(noteAt, end), error: null, status: null });
    }
    ctx.changed(r.id);
  }

  /** Accepted: the report is awaited until the deadline; past the report timeout the request says what the archive must reach. */
  private async awaitReport(r: OutgoingRequest, c: DimseRemoteConfig, ctx: DriverContext, now: number, deadline: number): Promise<void> {
    const acceptedAt = r.workingSince ?? r.sentAt ?? now;
    const noteAt = acceptedAt + (await this.deps.reportTimeoutMs());
    // Only while still waiting: a report that came meanwhile has the last word.
    if (now < noteAt) {
      await ctx.lifecycle.move(r.id, 'working', 'wait', { nextAttemptAt: Math.min(noteAt, deadline) });
      return;
    }
    const error = waitingText({ acceptedAt, now, deadline, remote: c, listener: this.deps.listener() });
    if ((await ctx.lifecycle.move(r.id, 'working', 'wait', { nextAttemptAt: deadline, error })) && error !== r.error) ctx.changed(r.id);
  }

  private async timeOut(r: OutgoingRequest, c: DimseRemoteConfig, ctx: DriverContext, now: number): Promise<void> {
    const why =
      r.state === 'working'
        ? `Timed out: no N-EVENT-REPORT within ${c.deadlineHours} h`
        : `Timed out: the archive did not accept the N-ACTION within ${c.deadlineHours} h${r.error ? ` (last error: ${r.error})` : ''}`;
    await ctx.lifecycle.failPending(r.id, r.state, 'deadline', { detail: why, now }, { completedAt: now, nextAttemptAt: null, error: why });
    ctx.changed(r.id);
  }

  private async associationFailure(id: number, e: unknown, c: DimseRemoteConfig, ctx: DriverContext, deadline: number): Promise<void> {
    const { outgoing, lifecycle } = ctx;
    const now = ctx.scheduler.now();
    // Every write below only while it is still 'posting' (a report or a cancel may have come first).
    const current = await outgoing.get(id);
    if (current.state !== 'posting') return ctx.changed(id);
    const err = e instanceof DimseError ? e : new DimseError('protocol', String(e));
    const fix = associationFix(err, c, this.deps.listener());
    if (err.kind === 'rejected' && err.permanent) {
      // A permanent A-ASSOCIATE-RJ does not heal by itself: say so at once, with the fix.
      const why = `${err.message}: ${fix}`;
      await lifecycle.failPending(id, 'posting', 'refused', { detail: why, now }, { completedAt: now, nextAttemptAt: null, error: why });
    } else {
      // Refused connection, abort, close, timeout: the archive may be restarting. Retry until the deadline.
      const next = Math.min(now + backoffMs(current.attempts - 1, this.deps.retryBackoff ?? ERROR_BACKOFF), deadline);
      const fields = { nextAttemptAt: next, error: retryText(err, current.attempts, next, fix) };
      if (err.requestSent) await lifecycle.renew(id, 'posting', 'new-uid', newTransactionUid(), fields);
      else await lifecycle.move(id, 'posting', 'retry', fields);
    }
    ctx.changed(id);
    ctx.wake();
  }

  test(remote: RemoteWithSecret): Promise<{ ok: boolean; message: string }> {
    if (remote.kind !== 'dimse') throw new Error('not a DIMSE remote');
    return dimseRoundTrip(remote.config, { listener: this.deps.listener, knowRemotes: this.deps.knowRemotes, probes: this.deps.probes, onReport: this.deps.onReport, scheduler: this.deps.scheduler });
  }

  async close(): Promise<void> {
    /* associations are closed per request */
  }
}
