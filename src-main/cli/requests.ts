import { AppError } from '../../src-shared/contract/errors';
import { isFinal, type OutgoingRequest } from '../../src-shared/outgoing';
import { CANCELLED_DETAIL } from '../core/engine/engine';
import type { Host } from '../core/host/host';
import { finish } from './commit';
import { usageError } from './errors';
import { follow } from './follow';
import { instancesOf, requestByUid, requestsOfJob } from './pages';
import { listenForReports, type ListenerFlags } from './unfinished';

export interface ResendOptions extends ListenerFlags {
  job?: number;
  failedOnly?: boolean;
  wait: boolean;
  report?: string;
  json?: boolean;
  quiet?: boolean;
}

/** The request a Transaction UID names, or every request of a job (exactly one of the two). */
async function targetsOf(host: Host, uid: string | undefined, job: number | undefined, command: string): Promise<OutgoingRequest[]> {
  if ((uid === undefined) === (job === undefined)) throw usageError(`safekeep ${command} takes a Transaction UID or --job N (one of them)`);
  if (uid !== undefined) return [await requestByUid(host, uid)];
  const { rows } = await requestsOfJob(host, job!);
  if (rows.length === 0) throw usageError(`No job ${job}: "safekeep status" lists the requests with their job`);
  return rows.reverse(); // oldest first
}

/** Reasons one per line, at most ten. */
function indented(reasons: readonly string[], job: number): string[] {
  const more = reasons.length > 10 ? [`  … and ${reasons.length - 10} more ("safekeep status --job ${job}" lists the requests)`] : [];
  return [...reasons.slice(0, 10).map((r) => `  ${r}`), ...more];
}

type Plan = { r: OutgoingRequest; exclude?: Set<string> };

/** Why a request cannot be resent as asked, or null when it can. */
function whyNot(r: OutgoingRequest, failedOnly: boolean): string | null {
  const name = `Request ${r.id} (${r.transactionUid})`;
  if (!isFinal(r.state)) return `${name} is still ${r.state}: wait for its answer, or cancel it first`;
  const notCommitted = r.instanceCount - r.committedCount;
  if (notCommitted === 0) return `Every instance of ${name.toLowerCase()} is committed: nothing to resend`;
  if (!failedOnly && r.state === 'done') {
    return `${name} is done (${r.committedCount} committed, ${r.failedCount} failed): use --failed-only to send its ${notCommitted} not committed instance(s) again`;
  }
  return null;
}

/**
 * What to resend. Whole: every lost, failed, timed-out or cancelled request, under a new
 * Transaction UID. --failed-only: for each finished request, a new request with its instances
 * not committed — within a job, leaving out instances that a later request of the job asked again.
 */
async function planResend(host: Host, targets: OutgoingRequest[], o: ResendOptions): Promise<{ plan: Plan[]; leftOut: string[] }> {
  const plan: Plan[] = [];
  const problems: string[] = [];
  const askedLater = new Set<string>();
  for (const r of [...targets].reverse()) {
    const why = whyNot(r, o.failedOnly ?? false);
    const mine = o.failedOnly ? await instancesOf(host, r.id) : [];
    if (why) problems.push(why);
    else if (!o.failedOnly) plan.push({ r });
    else {
      const exclude = new Set(mine.filter((i) => i.outcome !== 'committed' && askedLater.has(i.sopInstanceUid)).map((i) => i.sopInstanceUid));
      if (exclude.size < r.instanceCount - r.committedCount) plan.push({ r, exclude });
      else problems.push(`Request ${r.id} (${r.transactionUid}): its ${exclude.size} instance(s) not committed were asked again by a later request of the job`);
    }
    if (o.job !== undefined) for (const i of mine) askedLater.add(i.sopInstanceUid);
  }
  if (plan.length === 0) {
    throw usageError(o.job === undefined ? problems[0]! : [`Nothing to resend in job ${o.job}:`, ...indented(problems, o.job)].join('\n'));
  }
  return { plan: plan.reverse(), leftOut: problems };
}

/**
 * `safekeep resend (UID | --job N) [--failed-only]`: resend, then follow like commit (same exit codes). Like
 * commit, it runs the outgoing engine for the requests it resends only (other work waits for `resume`).
 */
export async function resendCommand(host: Host, uid: string | undefined, o: ResendOptions, out: (s: string) => void, signal?: AbortSignal): Promise<number> {
  const { plan, leftOut } = await planResend(host, await targetsOf(host, uid, o.job, 'resend'), o);
  if (leftOut.length > 0 && !o.json) [`Left out ${leftOut.length} request(s) of job ${o.job}:`, ...indented(leftOut, o.job!)].forEach((l) => out(l));
  // DIMSE archives send their reports to the listener: it runs before anything is sent again.
  const remotes = new Map((await host.call('remotes-list', {})).map((r) => [r.id, r]));
  const gone = plan.find((p) => !remotes.has(p.r.remoteId));
  if (gone) throw new AppError('not-found', `No remote with id ${gone.r.remoteId}`);
  if (plan.some((p) => remotes.get(p.r.remoteId)!.kind === 'dimse')) await listenForReports(host, o);
  await host.start({ outgoing: 'own' });
  const ids: number[] = [];
  for (const { r, exclude } of plan) {
    const next = o.failedOnly ? await host.call('outgoing-resend-failed', { id: r.id, ...(exclude ? { exclude: [...exclude] } : {}) }) : await host.call('outgoing-resend', { id: r.id });
    ids.push(next.id);
    if (o.json) continue;
    out(
      o.failedOnly
        ? `Request ${next.id} resends ${next.instanceCount} instance(s) not committed by request ${r.id} to ${r.remoteName} (Transaction UID ${next.transactionUid})`
        : `Request ${r.id} sent again to ${r.remoteName}: ${next.instanceCount} instance(s) under Transaction UID ${next.transactionUid} (was ${r.transactionUid})`,
    );
  }
  const outcome = await follow(host, ids, o.quiet ?? false, o.wait ? 'answered' : 'accepted', signal);
  return await finish(host, ids, { ...o, ...(o.job !== undefined ? { jobId: o.job } : {}), interrupted: outcome === 'interrupted' }, out);
}

/**
 * `safekeep cancel (UID | --job N)`: no more polling. The instances the archive had not answered for
 * are failed as "not verified" (the engine's CANCELLED_DETAIL), so nothing is left pending for ever.
 */
export async function cancelCommand(host: Host, uid: string | undefined, o: { job?: number; json?: boolean }, out: (s: string) => void): Promise<number> {
  const targets = await targetsOf(host, uid, o.job, 'cancel');
  // One request: cancelling a finished one is an error (the engine says why); a job: those in flight.
  const inFlight = uid !== undefined ? targets : targets.filter((r) => !isFinal(r.state));
  const cancelled: { r: OutgoingRequest; notVerified: number }[] = [];
  for (const r of inFlight) {
    const notVerified = r.instanceCount - r.committedCount - r.failedCount;
    cancelled.push({ r: await host.call('outgoing-cancel', { id: r.id }), notVerified });
  }
  if (o.json) {
    out(JSON.stringify({ cancelled: cancelled.map(({ r, notVerified }) => ({ id: r.id, transactionUid: r.transactionUid, notVerified })) }, null, 2));
    return 0;
  }
  if (cancelled.length === 0) out(`Nothing to cancel: every request of job ${o.job} has its final answer`);
  for (const { r, notVerified } of cancelled) {
    out(`Cancelled request ${r.id} (${r.transactionUid}): ${notVerified} instance(s) not verified (failed: ${CANCELLED_DETAIL})`);
  }
  return 0;
}
