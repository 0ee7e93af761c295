import { z } from 'zod';
import { isLoopbackHost, isWildcardHost } from './net';

/**
 * Safekeep's DICOM listener as the hosts and the renderer see it: where archives send
 * their N-EVENT-REPORTs (and where DIMSE peers ask for commitment), and whether it runs.
 */
export const DimseListenerStateSchema = z.object({
  /** listening: accepting associations; stopped: not needed or not started by this host; failed: could not listen. */
  state: z.enum(['listening', 'stopped', 'failed']),
  /** Safekeep's AE title (Settings, or --ae-title for this run). */
  aeTitle: z.string(),
  /** Other called AE titles it answers to: the calling AE titles of DIMSE remotes, to whom their reports are addressed. */
  otherAeTitles: z.array(z.string()),
  /** The bind address (127.0.0.1 by default; 0.0.0.0 = every interface). */
  host: z.string(),
  /** The port it listens on (the real one when listening), or the configured one. */
  port: z.number().int().min(0).max(65535),
  /** This machine's non-loopback addresses: what an archive on another machine must use. */
  addresses: z.array(z.string()),
  /** Why it is stopped or failed, in words (null while listening). */
  detail: z.string().nullable(),
  /** Settings changed that this run does not apply (a command-line flag overrides them): restart to apply. */
  restartNeeded: z.boolean(),
});

export type DimseListenerState = z.infer<typeof DimseListenerStateSchema>;

/** The host an archive must use to reach the listener. */
export function reachableHost(s: Pick<DimseListenerState, 'host' | 'addresses'>): string {
  if (!isWildcardHost(s.host)) return s.host;
  return s.addresses[0] ?? "this machine's address";
}

/** "SAFEKEEP at 127.0.0.1:11112": what an archive must know to send a report to Safekeep. */
export function listenerAddress(s: Pick<DimseListenerState, 'host' | 'addresses' | 'port'>, aeTitle: string): string {
  return `${aeTitle} at ${reachableHost(s)}:${s.port}`;
}

/** The fix for an archive that aborts Safekeep's associations or never reports: it must know Safekeep's AE. */
export function knownAeHint(s: Pick<DimseListenerState, 'host' | 'addresses' | 'port'>, aeTitle: string): string {
  return `the archive must list ${listenerAddress(s, aeTitle)} as a known AE`;
}

/** Why the listener cannot receive a report from an archive at `remoteHost`, or null when it can (as far as Safekeep can tell). */
export function listenerProblem(s: DimseListenerState, remoteHost: string): string | null {
  if (s.state !== 'listening') {
    return `Safekeep's DICOM listener is not running, so the archive's N-EVENT-REPORT cannot arrive${s.detail ? `: ${s.detail}` : ''}`;
  }
  const local = isLoopbackHost(remoteHost) || s.addresses.includes(remoteHost);
  if (remoteHost !== '' && isLoopbackHost(s.host) && !local) {
    return `Safekeep's DICOM listener is bound to ${s.host}, which the archive at ${remoteHost} cannot reach: set the DICOM listen address in Settings (or --dimse-host) to this machine's address or 0.0.0.0`;
  }
  return null;
}

/** One line for a status bar: "Listening as SAFEKEEP on 127.0.0.1:11112", "Not running: port 11112 in use". */
export function describeListener(s: DimseListenerState): string {
  if (s.state === 'listening') {
    const others = s.otherAeTitles.length ? ` (also ${s.otherAeTitles.join(', ')})` : '';
    return `Listening as ${s.aeTitle}${others} on ${s.host}:${s.port}`;
  }
  if (s.state === 'failed') return `Not running: ${s.detail ?? 'could not listen'}`;
  return `Stopped${s.detail ? `: ${s.detail}` : ''}`;
}

/**
 * The deadline of an outgoing DIMSE request: its report is awaited (and a failed N-ACTION
 * retried) until this long after the first N-ACTION was sent. Null before the first one.
 */
export function dimseDeadline(r: { sentAt: number | null }, deadlineHours: number): number | null {
  return r.sentAt === null ? null : r.sentAt + deadlineHours * 3600_000;
}

/** True when an accepted DIMSE request has waited longer than `reportTimeoutMs` for its N-EVENT-REPORT. */
export function reportOverdue(r: { state: string; workingSince: number | null }, reportTimeoutMs: number, now: number): boolean {
  return r.state === 'working' && r.workingSince !== null && now >= r.workingSince + reportTimeoutMs;
}

/** Default of the report timeout setting. */
export const DEFAULT_REPORT_TIMEOUT_MINUTES = 10;
