import type { CommitmentReport } from '../dimse/types';
import { DIMSE_STATUS } from '../dimse/types';
import type { Clock } from '../clock';
import type { OutgoingRepo } from '../store/outgoing-repo';
import type { RemotesRepo } from '../store/remotes-repo';
import { interpretResult } from './response-check';

const ACCEPTS_REPORT = new Set(['posting', 'checking', 'working', 'queued', 'timed_out']);

/**
 * Safekeep as DIMSE commitment SCU: an N-EVENT-REPORT (on the N-ACTION association or a
 * new one) completes the request with that Transaction UID, or with an earlier one of it (an
 * N-ACTION retried under a new UID may still be answered for the old one: both ask about the
 * same instances). The report is checked against the request like a DICOMweb answer. A report
 * for a Transaction UID Safekeep does not know is kept (never dropped) and answered 0110H; a
 * second report for a finished request is kept too and answered 0000H.
 */
export function takeReport(deps: { outgoing: OutgoingRepo; clock: Clock; changed: (id: number) => void }, report: CommitmentReport): number {
  const now = deps.clock.now();
  const r = deps.outgoing.findByUid(report.transactionUid);
  const keep = (why: string) =>
    deps.outgoing.recordUnmatchedReport({
      transactionUid: report.transactionUid,
      callingAe: report.callingAeTitle,
      eventType: report.eventTypeId,
      committed: report.committed.length,
      failed: report.failed.length,
      why,
      payload: report,
      now,
    });
  if (!r) {
    keep('unknown Transaction UID');
    return DIMSE_STATUS.ProcessingFailure;
  }
  if (!ACCEPTS_REPORT.has(r.state)) {
    keep(`the request is already ${r.state}`);
    return DIMSE_STATUS.Success;
  }
  const requested = deps.outgoing.instancesOf(r.id);
  const { results, problem } = interpretResult(requested, () => ({
    committed: report.committed.map((i) => ({ ...i, form: 'flat' as const })),
    failed: report.failed.map((i) => ({ ...i, form: 'flat' as const })),
  }));
  deps.outgoing.complete(
    r.id,
    results,
    {
      state: 'done',
      completedAt: now,
      lastContactAt: now,
      nextAttemptAt: null,
      error: problem,
      rawResponse: problem ? JSON.stringify(report).slice(0, 5_000_000) : null,
    },
    now,
  );
  deps.changed(r.id);
  return DIMSE_STATUS.Success;
}

/**
 * Makes every accepted DIMSE request look at its report wait again now: the report timeout or
 * the listener (the address its waiting line names) changed.
 */
export function recheckDimseWaits(deps: { outgoing: OutgoingRepo; remotes: RemotesRepo; clock: Clock; engine: { wake(): void } }): void {
  const now = deps.clock.now();
  const dimse = new Set(deps.remotes.list().flatMap((r) => (r.kind === 'dimse' ? [r.id] : [])));
  for (const r of deps.outgoing.active()) {
    if (r.state === 'working' && dimse.has(r.remoteId)) deps.outgoing.patch(r.id, { nextAttemptAt: now });
  }
  deps.engine.wake();
}
