import { describeFailureReason } from '../../src-shared/dicom/failure-reasons';
import type { OutgoingProgress } from '../../src-shared/contract/handlers';
import type { OutgoingRequest } from '../../src-shared/outgoing';
import { coalesced } from '../core/coalesce';
import type { Host } from '../core/host/host';
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

function count(requests: readonly OutgoingRequest[]): Totals {
  const totals: Totals = { requests: requests.length, instances: 0, committed: 0, failed: 0, pending: 0, byState: {}, failureReasons: {} };
  for (const r of requests) {
    totals.instances += r.instanceCount;
    totals.committed += r.committedCount;
    totals.failed += r.failedCount;
    totals.byState[r.state] = (totals.byState[r.state] ?? 0) + 1;
  }
  totals.pending = totals.instances - totals.committed - totals.failed;
  return totals;
}

/** Totals of a set of requests, with the failed instances grouped by their whole reason. */
export async function totalsOf(host: Host, requestIds: readonly number[]): Promise<{ totals: Totals; requests: OutgoingRequest[] }> {
  const requests = requestIds.length > 0 ? (await host.call('outgoing-progress', { requestIds: [...requestIds] })).requests : [];
  const totals = count(requests);
  if (totals.failed > 0 && requestIds.length > 0) {
    // Grouped by code, or by the whole text when the archive gave none (never cut at a colon):
    // "association aborted by ARCHIVE (A-ABORT, source: …)" says what to check.
    for (const g of await host.call('report-failure-reasons', { requestIds: [...requestIds] })) {
      const key = g.code === null ? (g.text ?? 'failed') : describeFailureReason(g.code);
      totals.failureReasons[key] = (totals.failureReasons[key] ?? 0) + g.count;
    }
  }
  return { totals, requests };
}

/** How often the store is read again when nothing was announced (time-dependent situations). */
const RECHECK_MS = 1000;

/** When following stops: every request final, answered (final or a DIMSE report overdue), or accepted (past its POST). */
export type Until = 'final' | 'answered' | 'accepted';

/**
 * Follows requests until `until` holds for each ('done'), or until `signal` aborts
 * ('interrupted': Ctrl-C). On a terminal the progress line says what is happening (refreshed
 * every second, for the countdowns); otherwise stderr gets a line each time a request's
 * situation changes while something is wrong, and once more when it clears. The requests are
 * read (`outgoing-progress`) at each announced change and every second: another process
 * (`safekeep cancel`) may have changed them, and `until` may depend on the time (a DIMSE report overdue).
 */
export async function follow(
  host: Host,
  requestIds: readonly number[],
  quiet: boolean,
  until: Until = 'final',
  signal?: AbortSignal,
  stream: NodeJS.WriteStream = process.stderr,
): Promise<'done' | 'interrupted'> {
  const progress = new Progress(quiet, stream);
  const lines = !quiet && !stream.isTTY;
  const printed = new Map<number, string>();
  const show = ({ requests, situations }: OutgoingProgress) => {
    const totals = count(requests);
    const current = requests.flatMap((r, k) => (situations[k] ? [{ r, s: situations[k] }] : []));
    if (lines) {
      for (const { r, s } of current) {
        const before = printed.get(r.id);
        if (before === s.key || (!s.trouble && before === undefined)) continue;
        if (s.trouble) printed.set(r.id, s.key);
        else printed.delete(r.id);
        stream.write(`request ${r.id}: ${s.text}\n`);
      }
    }
    const troubled = current.filter((c) => c.s.trouble);
    const worst = troubled[0] ?? current[0];
    const counts = `${totals.committed} committed, ${totals.failed} failed, ${totals.pending} pending`;
    if (!worst) return progress.update(`${totals.instances} instances in ${totals.requests} request(s): ${counts}`, true);
    const what = `${requests.length > 1 ? `request ${worst.r.id}: ` : ''}${worst.s.text}${troubled.length > 1 ? ` (+${troubled.length - 1} more in trouble)` : ''}`;
    // On a narrow terminal the situation matters more than the counts.
    progress.update([`${totals.instances} instances in ${totals.requests} request(s): ${counts} — ${what}`, `${totals.committed}/${totals.instances} committed — ${what}`, what], true);
  };
  let ticker: NodeJS.Timeout | undefined;
  let off = () => {};
  let onAbort = () => {};
  let outcome: 'done' | 'interrupted';
  try {
    outcome = await new Promise<'done' | 'interrupted'>((resolve, reject) => {
      let ended = false;
      const end = (o: 'done' | 'interrupted') => {
        ended = true;
        resolve(o);
      };
      // One read at a time; a change announced meanwhile is read right after.
      const check = coalesced(async () => {
        const now = await host.call('outgoing-progress', { requestIds: [...requestIds], until });
        if (ended) return;
        show(now);
        if (now.done) end('done');
      }, reject);
      onAbort = () => end('interrupted');
      off = host.events.on('data-changed', ({ tables }) => {
        if (tables.includes('outgoing')) check();
      });
      ticker = setInterval(check, RECHECK_MS);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      else check();
    });
  } finally {
    off();
    clearInterval(ticker);
    signal?.removeEventListener('abort', onAbort);
  }
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
