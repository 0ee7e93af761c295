/**
 * When `commit` and `resume` stop waiting before every request has its final answer: an
 * archive's report that has not come within the report timeout, or Ctrl-C. Nothing in flight
 * is lost (every request is stored before it is sent); `safekeep resume` carries on.
 */
import { reportOverdue } from '../../src-shared/dimse';
import { isFinal, type OutgoingRequest } from '../../src-shared/outgoing';
import type { SafekeepCore } from '../core/app';
import type { ListenerOverrides } from '../core/dimse/listener-control';
import { CliError, EXIT } from './errors';

/** The DIMSE listener flags of `commit` and `resume` (they apply to this run only). */
export interface ListenerFlags {
  dimsePort?: number;
  dimseHost?: string;
  /** Seconds an accepted DIMSE request waits for its report before the command stops waiting. */
  reportTimeout?: number;
  data?: string;
}

/** Applies the flags to the core and starts the listener where DIMSE archives send their reports. */
export async function listenForReports(core: SafekeepCore, o: ListenerFlags): Promise<void> {
  if (o.reportTimeout !== undefined) core.runtime.reportTimeoutMs = o.reportTimeout * 1000;
  const overrides: ListenerOverrides = {};
  if (o.dimsePort !== undefined) overrides.port = o.dimsePort;
  if (o.dimseHost !== undefined) overrides.host = o.dimseHost;
  const s = await core.dimseListener.enable({ overrides, force: true });
  if (s.state !== 'listening') throw new CliError(EXIT.usage, `Cannot listen for the archive's report: ${s.detail}`);
}

/**
 * When to stop waiting for a request: it has its final answer, or it is a DIMSE request whose
 * report is overdue (and says so: the request keeps waiting in the store until its deadline).
 */
export async function answeredOrOverdue(core: SafekeepCore, requestIds: readonly number[]): Promise<(r: OutgoingRequest) => boolean> {
  const remoteIds = new Set(await Promise.all(requestIds.map(async (id) => (await core.outgoing.get(id)).remoteId)));
  const dimseRemotes = new Set<number>();
  for (const remoteId of remoteIds) {
    const remote = await core.remotes.get(remoteId).catch(() => null);
    if (remote?.kind === 'dimse') dimseRemotes.add(remoteId);
  }
  // The report timeout of this run (a flag), or the stored setting read now: it does not change while the command waits.
  const timeoutMs = await core.reportTimeoutMs();
  return (r) => isFinal(r.state) || (dimseRemotes.has(r.remoteId) && r.error !== null && reportOverdue(r, timeoutMs, core.clock.now()));
}

/** The exact command that carries on, with the flags this run was given. */
export function resumeCommand(o: ListenerFlags): string {
  const args = ['safekeep', 'resume'];
  if (o.data !== undefined) args.push('--data', shellQuote(o.data));
  if (o.dimsePort !== undefined) args.push('--dimse-port', String(o.dimsePort));
  if (o.dimseHost !== undefined) args.push('--dimse-host', shellQuote(o.dimseHost));
  if (o.reportTimeout !== undefined) args.push('--report-timeout', String(o.reportTimeout));
  return args.join(' ');
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Ctrl-C (SIGINT) or SIGTERM while a command waits: the first one aborts the signal (the
 * command then says how to resume and exits 3); a second one exits at once, still with 3.
 */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) process.exit(EXIT.unfinished);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
