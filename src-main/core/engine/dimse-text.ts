/**
 * The words of an outgoing DIMSE request's error line: what happened, when the next attempt
 * is, and what to fix. Never cut: these lines are the user's only clue.
 */
import { knownAeHint, listenerAddress, listenerProblem, type DimseListenerState } from '../../../src-shared/dimse';
import type { DimseRemoteConfig } from '../../../src-shared/remotes';
import { constants } from '../dimse/lib';
import type { DimseError } from '../dimse/types';

const pad = (n: number) => String(n).padStart(2, '0');

/** Local time of day, "14:05:09". */
export function timeOfDay(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local date and time, "2026-01-01 14:05". */
export function dateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "12 s", "10 min", "2 h". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${Math.round(m / 60)} h`;
}

/**
 * The fix for an association that failed: an archive that aborts or rejects Safekeep's
 * association usually does not know Safekeep's AE title (or its address).
 */
export function associationFix(err: DimseError, c: DimseRemoteConfig, listener: DimseListenerState): string | null {
  if (err.kind === 'aborted') return knownAeHint(listener, c.callingAeTitle);
  if (err.kind !== 'rejected') return null;
  const reject = parseReject(err.detail);
  const { RejectSource, RejectReason } = constants;
  if (reject?.source === RejectSource.ServiceUser && reject.reason === RejectReason.CalledAeNotRecognized) return `check the called AE title of this remote (${c.aeTitle}): the archive does not answer to it`;
  if (reject) return knownAeHint(listener, c.callingAeTitle);
  return `the archive must accept Storage Commitment Push Model requests from ${c.callingAeTitle}`;
}

function parseReject(detail: string | undefined): { source: number; reason: number } | null {
  if (!detail?.startsWith('{')) return null;
  try {
    const v = JSON.parse(detail) as { source?: unknown; reason?: unknown };
    return typeof v.source === 'number' && typeof v.reason === 'number' ? { source: v.source, reason: v.reason } : null;
  } catch {
    return null;
  }
}

/** "association aborted by ORTHANC (…); retry 3 at 14:05:09; the archive must list SAFEKEEP at 127.0.0.1:11112 as a known AE if this keeps happening" */
export function retryText(err: DimseError, retry: number, at: number, fix: string | null): string {
  return `${err.message}; retry ${retry} at ${timeOfDay(at)}${fix ? `; ${fix} if this keeps happening` : ''}`;
}

/**
 * An accepted request whose N-EVENT-REPORT has not come: what the archive must be able to
 * reach, and until when Safekeep keeps waiting.
 */
export function waitingText(o: { acceptedAt: number; now: number; deadline: number; remote: DimseRemoteConfig; listener: DimseListenerState }): string {
  const { remote: c, listener } = o;
  const reach = listenerProblem(listener, c.host) ?? `the archive must be able to reach ${listenerAddress(listener, c.callingAeTitle)} (its configuration must list that AE title, host and port)`;
  return (
    `waiting for the archive's report: no N-EVENT-REPORT ${duration(o.now - o.acceptedAt)} after ${c.aeTitle} accepted the N-ACTION at ${timeOfDay(o.acceptedAt)}; ` +
    `${reach}; Safekeep keeps waiting until ${dateTime(o.deadline)}`
  );
}
