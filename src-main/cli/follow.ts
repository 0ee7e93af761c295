import { describeFailureReason } from '../../src-shared/dicom/failure-reasons';
import { describeSituation, type Situation, type SituationRemote } from '../../src-shared/outgoing-situation';
import { isFinal, type OutgoingRequest } from '../../src-shared/outgoing';
import type { SafekeepCore } from '../core/app';
import { coalesced } from '../core/coalesce';
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
export async function totalsOf(core: SafekeepCore, requestIds: readonly number[]): Promise<{ totals: Totals; requests: OutgoingRequest[] }> {
  const requests = await Promise.all(requestIds.map((id) => core.outgoing.get(id)));
  const totals = count(requests);
  if (totals.failed > 0 && requestIds.length > 0) {
    // Grouped by code, or by the whole text when the archive gave none (never cut at a colon):
    // "association aborted by ARCHIVE (A-ABORT, source: …)" says what to check.
    for (const g of await core.reports.failureGroups({ requestIds: [...requestIds] })) {
      const key = g.code === null ? (g.text ?? 'failed') : describeFailureReason(g.code);
      totals.failureReasons[key] = (totals.failureReasons[key] ?? 0) + g.count;
    }
  }
  return { totals, requests };
}

/** The part of a request's remote that its situation needs; null once the remote is deleted. */
export async function situationRemote(core: SafekeepCore, remoteId: number): Promise<SituationRemote | null> {
  try {
    const v = await core.remotes.get(remoteId);
    return { kind: v.kind, deadlineHours: v.config.deadlineHours };
  } catch {
    return null; // deleted: the engine fails its requests
  }
}

/** Each active request's situation, read from the store (each remote looked up once). */
async function situations(core: SafekeepCore, requests: readonly OutgoingRequest[], now: number): Promise<{ r: OutgoingRequest; s: Situation }[]> {
  const remotes = new Map<number, SituationRemote | null>();
  const out: { r: OutgoingRequest; s: Situation }[] = [];
  for (const r of requests) {
    if (!remotes.has(r.remoteId)) remotes.set(r.remoteId, await situationRemote(core, r.remoteId));
    const s = describeSituation(r, remotes.get(r.remoteId)!, now);
    if (s) out.push({ r, s });
  }
  return out;
}

/** How often the store is read again when nothing was announced (time-dependent situations). */
const RECHECK_MS = 1000;

/**
 * Follows requests until `until` holds for each ('done'), or until `signal` aborts
 * ('interrupted': Ctrl-C). On a terminal the progress line says what is happening (refreshed
 * every second, for the countdowns); otherwise stderr gets a line each time a request's
 * situation changes while something is wrong, and once more when it clears. The store is also
 * read every second: another process (`safekeep cancel`) may have changed it, and `until` may
 * depend on the time (a DIMSE report overdue).
 */
export async function follow(
  core: SafekeepCore,
  requestIds: readonly number[],
  quiet: boolean,
  until: (r: OutgoingRequest) => boolean = (r) => isFinal(r.state),
  signal?: AbortSignal,
  stream: NodeJS.WriteStream = process.stderr,
): Promise<'done' | 'interrupted'> {
  const progress = new Progress(quiet, stream);
  const lines = !quiet && !stream.isTTY;
  const printed = new Map<number, string>();
  const show = async (requests: readonly OutgoingRequest[]) => {
    const totals = count(requests);
    const current = await situations(core, requests, core.clock.now());
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
        const requests = await Promise.all(requestIds.map((id) => core.outgoing.get(id)));
        if (ended) return;
        await show(requests);
        if (!ended && requests.every(until)) end('done');
      }, reject);
      onAbort = () => end('interrupted');
      off = core.events.on('data-changed', ({ tables }) => {
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
