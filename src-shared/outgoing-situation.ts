import { isFinal, type OutgoingRequest } from './outgoing';
import { formatClock, formatDuration } from './time-words';

/**
 * What is happening to an outgoing request right now, in one line, derived from its stored
 * state only (error, attempts/polls, nextAttemptAt, sentAt/workingSince and the remote's
 * deadline): "archive answered HTTP 500; retry 4 in 40 s; gives up at 14:05".
 * Used by the CLI's progress line and stderr lines, and the app's Outgoing detail.
 */
export interface Situation {
  /** Changes only when the situation does (not with the countdown): one stderr line per key. */
  key: string;
  text: string;
  /** Something is wrong (the archive errs, does not answer, or the report is overdue). */
  trouble: boolean;
}

/** The part of the request's remote the wording needs. */
export interface SituationRemote {
  kind: 'dicomweb' | 'dimse';
  deadlineHours: number;
}

/** What the drivers append to an error that will be retried (dicomweb-driver.ts, dimse-driver.ts). */
const RETRYING = /; retrying$/;

/** The archive's side of a stored retry error, short: the full text stays in `error`. */
export function describeProblem(error: string): string {
  const e = error.replace(RETRYING, '');
  let m: RegExpExecArray | null;
  if ((m = /^HTTP (\d{3}) from the archive/.exec(e))) return `archive answered HTTP ${m[1]}`;
  if (/^No answer from \S+ within the timeout/.test(e)) return 'archive did not answer in time';
  if (/^Could not connect to \S+ within the timeout/.test(e)) return 'cannot connect to the archive (timeout)';
  if (/^Connection refused by /.test(e)) return 'archive refused the connection';
  if ((m = /^Host of \S+ not found \((\w+)\)/.exec(e))) return `archive host not found (${m[1]})`;
  if (/^The connection to \S+ was closed before an answer/.test(e)) return 'archive closed the connection without answering';
  return e;
}

export function describeSituation(r: OutgoingRequest, remote: SituationRemote | null, now: number): Situation | null {
  if (isFinal(r.state)) return null;
  const since = r.workingSince ?? r.sentAt;
  const givesUp = remote && since !== null ? `gives up at ${formatClock(since + remote.deadlineHours * 3600_000, now)}` : null;
  const due = (at: number | null) => (at === null || at <= now ? 'now' : `in ${formatDuration(at - now)}`);
  const join = (...parts: (string | null)[]) => parts.filter(Boolean).join('; ');

  if (r.error && RETRYING.test(r.error)) {
    // A POST (queued, or checking after a POST that may have arrived) counts attempts; a Result Check counts polls.
    const retry = r.state === 'working' || (r.state === 'checking' && r.polls > 0) ? r.polls : r.attempts;
    return {
      key: `retry ${r.state} ${retry} ${r.error}`,
      text: join(describeProblem(r.error), `retry ${retry} ${due(r.nextAttemptAt)}`, givesUp),
      trouble: true,
    };
  }
  switch (r.state) {
    case 'queued':
      return r.error
        ? { key: `queued ${r.error}`, text: join(r.error, `sending ${due(r.nextAttemptAt)}`), trouble: false }
        : { key: 'queued', text: 'waiting to be sent', trouble: false };
    case 'posting':
      return { key: `posting ${r.attempts}`, text: `sent${r.attempts > 1 ? ` (attempt ${r.attempts})` : ''}, waiting for the archive's answer`, trouble: false };
    case 'checking':
      return { key: 'checking', text: join('asking the archive whether it got the request', givesUp), trouble: false };
    case 'working':
      if ((remote?.kind ?? r.protocol) === 'dimse') {
        return { key: `waiting ${r.error ?? ''}`, text: join(r.error ?? "waiting for the archive's report (N-EVENT-REPORT)", givesUp), trouble: r.error !== null };
      }
      return { key: 'working', text: join('archive is working on it (HTTP 202)', `next Result Check ${due(r.nextAttemptAt)}`, givesUp), trouble: false };
    default:
      return null;
  }
}
