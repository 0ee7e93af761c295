import { describeStatus, DimseError, type CommitmentReport } from '../dimse/types';
import { echo, sendCommitmentRequest } from '../dimse/scu';
import type { OutgoingRequest } from '../../../src-shared/outgoing';
import type { RemoteWithSecret } from '../store/remotes-repo';
import { ERROR_BACKOFF, nextDelayMs } from './backoff';
import type { Driver, DriverContext } from './driver';

const HOUR = 3600_000;
/** Statuses of an N-ACTION-RSP that say the request itself was wrong (the proxy answers 400 for these). */
export const ARGUMENT_STATUSES = new Set([0x0114, 0x0115, 0x0117, 0x0118, 0x0119, 0x0123, 0x0212]);

/**
 * Safekeep as DIMSE Storage Commitment SCU (PS3.4 Annex J) for one request: the N-ACTION,
 * then waiting for the N-EVENT-REPORT (which `takeReport` applies when it arrives, on the
 * same association or a new one to Safekeep's listener) until the remote's deadline.
 */
export class DimseDriver implements Driver {
  constructor(private readonly onReport: (r: CommitmentReport) => Promise<number>) {}

  async step(r: OutgoingRequest, remote: RemoteWithSecret, ctx: DriverContext): Promise<void> {
    if (remote.kind !== 'dimse') throw new Error('DimseDriver got a DICOMweb remote');
    const c = remote.config;
    const { outgoing } = ctx;
    const now = ctx.clock.now();
    const deadlineMs = c.deadlineHours * HOUR;
    const since = r.workingSince ?? r.sentAt;
    if (since !== null && r.state !== 'queued' && now - since >= deadlineMs) {
      const why = `Timed out: no N-EVENT-REPORT within ${c.deadlineHours} h`;
      outgoing.failPending(r.id, why, { state: 'timed_out', completedAt: now, nextAttemptAt: null, error: why }, now);
      return ctx.changed(r.id);
    }
    if (r.state === 'checking' || r.state === 'posting') {
      // Safekeep stopped while the N-ACTION was on its way. DIMSE cannot ask whether it arrived,
      // and the UID must not be reused: wait for the report until the deadline.
      outgoing.patch(r.id, {
        state: 'working',
        workingSince: r.sentAt ?? now,
        nextAttemptAt: (r.sentAt ?? now) + deadlineMs,
        error: 'Safekeep stopped while sending the N-ACTION: waiting for the report; if none comes, resend',
      });
      return ctx.changed(r.id);
    }
    if (r.state === 'working') {
      outgoing.patch(r.id, { nextAttemptAt: (since ?? now) + deadlineMs });
      return;
    }

    // queued: persist "posting" first — the report may arrive before the N-ACTION-RSP.
    outgoing.patch(r.id, { state: 'posting', sentAt: r.sentAt ?? now, attempts: r.attempts + 1, nextAttemptAt: null });
    ctx.changed(r.id);
    const instances = outgoing.instancesOf(r.id).map((i) => ({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid }));
    let status: number;
    try {
      ({ status } = await sendCommitmentRequest({
        callingAeTitle: c.callingAeTitle,
        called: { aeTitle: c.aeTitle, host: c.host, port: c.port },
        timeoutMs: c.timeoutSeconds * 1000,
        transactionUid: r.transactionUid,
        instances,
        // Archives that report on the same association do it right away; others use a new one.
        waitForReportMs: 1000,
        onReport: this.onReport,
      }));
    } catch (e) {
      return this.associationFailure(r, e, ctx, deadlineMs);
    }
    const after = ctx.clock.now();
    const current = outgoing.get(r.id);
    if (current.state !== 'posting') return ctx.changed(r.id); // the report (or a cancel) came first
    if (status !== 0) {
      const why = `The archive refused the N-ACTION: ${describeStatus(status)}`;
      outgoing.failPending(r.id, why, { state: 'failed', completedAt: after, nextAttemptAt: null, error: why, httpStatus: status, lastContactAt: after }, after);
    } else {
      outgoing.patch(r.id, { state: 'working', workingSince: after, lastContactAt: after, nextAttemptAt: after + deadlineMs, error: null, httpStatus: 0 });
    }
    ctx.changed(r.id);
  }

  private associationFailure(r: OutgoingRequest, e: unknown, ctx: DriverContext, deadlineMs: number): void {
    const { outgoing } = ctx;
    const now = ctx.clock.now();
    if (outgoing.get(r.id).state !== 'posting') return ctx.changed(r.id);
    const err = e instanceof DimseError ? e : new DimseError('protocol', String(e));
    if (err.kind === 'connect-failed') {
      // Nothing reached the archive: the same request (same UID) can be sent again later.
      outgoing.patch(r.id, { state: 'queued', nextAttemptAt: now + nextDelayMs(null, r.attempts + 1, ERROR_BACKOFF, now), error: `${err.message}; retrying` });
    } else if (err.kind === 'timeout') {
      // It may have arrived: never reuse the UID; wait for a report until the deadline.
      outgoing.patch(r.id, {
        state: 'working',
        workingSince: now,
        nextAttemptAt: now + deadlineMs,
        error: `${err.message}: waiting for the archive's report; if none comes, resend`,
      });
    } else {
      // Rejected or aborted (e.g. the archive does not know Safekeep's AE title): say so at once.
      const why = `${err.message}`;
      outgoing.failPending(r.id, why, { state: 'failed', completedAt: now, nextAttemptAt: null, error: why }, now);
    }
    ctx.changed(r.id);
    ctx.wake();
  }

  async test(remote: RemoteWithSecret): Promise<{ ok: boolean; message: string }> {
    if (remote.kind !== 'dimse') throw new Error('not a DIMSE remote');
    const c = remote.config;
    const where = `${c.aeTitle}@${c.host}:${c.port}`;
    try {
      const { status } = await echo({ callingAeTitle: c.callingAeTitle, called: { aeTitle: c.aeTitle, host: c.host, port: c.port }, timeoutMs: c.timeoutSeconds * 1000 });
      return status === 0
        ? { ok: true, message: `C-ECHO to ${where} as ${c.callingAeTitle}: success` }
        : { ok: false, message: `C-ECHO to ${where} answered ${describeStatus(status)}` };
    } catch (e) {
      return { ok: false, message: `C-ECHO to ${where} as ${c.callingAeTitle} failed: ${(e as Error).message}` };
    }
  }

  async close(): Promise<void> {
    /* associations are closed per request */
  }
}
