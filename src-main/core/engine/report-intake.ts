import type { CommitmentReport } from '../dimse/types';
import { DIMSE_STATUS } from '../dimse/types';
import type { Clock } from '../scheduler';
import type { OutgoingStore, RemotesStore, UnmatchedReportStore } from '../store/ports';
import { statesFor, type OutgoingLifecycle } from './lifecycle';
import { interpretResult, RAW_ANSWER_CAP } from './response-check';

/** Where a report completes a request (a late one too: waiting to retry under a new UID, or past the deadline). */
const ACCEPTS_REPORT = statesFor('answered');

/**
 * Safekeep as DIMSE commitment SCU: an N-EVENT-REPORT (on the N-ACTION association or a
 * new one) completes the request with that Transaction UID, or with an earlier one of it (an
 * N-ACTION retried under a new UID may still be answered for the old one: both ask about the
 * same instances). The report is checked against the request like a DICOMweb answer. A report
 * for a Transaction UID Safekeep does not know is kept (never dropped) and answered 0110H; a
 * second report for a finished request is kept too and answered 0000H.
 */
export async function takeReport(
  deps: { outgoing: OutgoingStore; lifecycle: OutgoingLifecycle; unmatched: UnmatchedReportStore; clock: Clock; changed: (id: number) => void },
  report: CommitmentReport,
): Promise<number> {
  const now = deps.clock.now();
  const r = await deps.outgoing.findByUid(report.transactionUid);
  const keep = (why: string) =>
    deps.unmatched.record({
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
    await keep('unknown Transaction UID');
    return DIMSE_STATUS.ProcessingFailure;
  }
  if (!ACCEPTS_REPORT.includes(r.state)) {
    await keep(`the request is already ${r.state}`);
    return DIMSE_STATUS.Success;
  }
  const requested = await deps.outgoing.instancesOf(r.id);
  const { results, problem } = interpretResult(requested, () => ({
    committed: report.committed.map((i) => ({ ...i, form: 'flat' as const })),
    failed: report.failed.map((i) => ({ ...i, form: 'flat' as const })),
  }));
  const fields = { completedAt: now, lastContactAt: now, nextAttemptAt: null, error: problem, rawResponse: problem ? JSON.stringify(report).slice(0, RAW_ANSWER_CAP) : null };
  // Only if nothing finished it meanwhile (a second report, a cancel): that one stays, this one is kept.
  const completed = await deps.lifecycle.complete(r.id, ACCEPTS_REPORT, 'answered', results, fields, now);
  if (!completed) {
    await keep(`the request is already ${(await deps.outgoing.get(r.id)).state}`);
    return DIMSE_STATUS.Success;
  }
  deps.changed(r.id);
  return DIMSE_STATUS.Success;
}

/**
 * Makes every accepted DIMSE request look at its report wait again now: the report timeout or
 * the listener (the address its waiting line names) changed.
 */
export async function recheckDimseWaits(deps: { outgoing: OutgoingStore; remotes: RemotesStore; clock: Clock; engine: { wake(): void; lifecycle: OutgoingLifecycle } }): Promise<void> {
  const now = deps.clock.now();
  const dimse = new Set((await deps.remotes.list()).flatMap((r) => (r.kind === 'dimse' ? [r.id] : [])));
  for (const r of await deps.outgoing.active()) {
    if (r.state === 'working' && dimse.has(r.remoteId)) await deps.engine.lifecycle.move(r.id, 'working', 'wait', { nextAttemptAt: now });
  }
  deps.engine.wake();
}
