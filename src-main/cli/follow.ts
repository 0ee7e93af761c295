import { describeFailureReason } from '../../src-shared/dicom/failure-reasons';
import { isFinal, type OutgoingRequest } from '../../src-shared/outgoing';
import type { SafekeepCore } from '../core/app';
import { Progress } from './progress';

export interface Totals {
  requests: number;
  instances: number;
  committed: number;
  failed: number;
  pending: number;
  byState: Record<string, number>;
  failureReasons: Record<string, number>;
}

export function totalsOf(core: SafekeepCore, requestIds: readonly number[]): { totals: Totals; requests: OutgoingRequest[] } {
  const requests = requestIds.map((id) => core.outgoing.get(id));
  const totals: Totals = { requests: requests.length, instances: 0, committed: 0, failed: 0, pending: 0, byState: {}, failureReasons: {} };
  for (const r of requests) {
    totals.instances += r.instanceCount;
    totals.committed += r.committedCount;
    totals.failed += r.failedCount;
    totals.byState[r.state] = (totals.byState[r.state] ?? 0) + 1;
  }
  totals.pending = totals.instances - totals.committed - totals.failed;
  if (totals.failed > 0 && requestIds.length > 0) {
    // Grouped by code, or by the whole text when the archive gave none (never cut at a colon).
    for (const g of core.reports.failureGroups({ requestIds: [...requestIds] })) {
      const key = g.code === null ? (g.text ?? 'failed') : describeFailureReason(g.code);
      totals.failureReasons[key] = (totals.failureReasons[key] ?? 0) + g.count;
    }
  }
  return { totals, requests };
}

/** How often `until` is asked again when nothing changed (it may depend on the time). */
const RECHECK_MS = 1000;

/**
 * Follows requests with a progress line until `until` holds for each ('done'), or until
 * `signal` aborts ('interrupted': Ctrl-C).
 */
export async function follow(
  core: SafekeepCore,
  requestIds: readonly number[],
  quiet: boolean,
  until: (r: OutgoingRequest) => boolean = (r) => isFinal(r.state),
  signal?: AbortSignal,
): Promise<'done' | 'interrupted'> {
  const progress = new Progress(quiet);
  const show = () => {
    const { totals } = totalsOf(core, requestIds);
    progress.update(
      `${totals.instances} instances in ${totals.requests} request(s): ${totals.committed} committed, ${totals.failed} failed, ${totals.pending} pending`,
      true,
    );
  };
  show();
  const outcome = await new Promise<'done' | 'interrupted'>((resolve) => {
    const settled = () => requestIds.every((id) => until(core.outgoing.get(id)));
    const end = (how: 'done' | 'interrupted') => {
      off();
      clearInterval(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(how);
    };
    const check = () => {
      show();
      if (settled()) end('done');
    };
    const onAbort = () => end('interrupted');
    const off = core.events.on('outgoing-changed', check);
    const timer = setInterval(() => settled() && end('done'), RECHECK_MS);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    else check();
  });
  progress.done();
  return outcome;
}

export function printTotals(t: Totals, out: (s: string) => void): void {
  out(`Committed ${t.committed} of ${t.instances} instance(s) in ${t.requests} request(s); ${t.failed} failed; ${t.pending} not verified`);
  for (const [reason, n] of Object.entries(t.failureReasons)) out(`  failed: ${n} × ${reason}`);
  const states = Object.entries(t.byState)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  out(`Requests: ${states}`);
}
