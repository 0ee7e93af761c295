/**
 * When `commit` and `resume` stop waiting before every request has its final answer: an
 * archive's report that has not come within the report timeout, or Ctrl-C. Nothing in flight
 * is lost (every request is stored before it is sent); `safekeep resume` carries on.
 */
import type { Host } from '../core/host/host';
import type { ListenerOverrides } from '../core/dimse/listener-control';
import { CliError, EXIT } from './errors';

/** The DIMSE listener flags of `commit`, `resume` and `resend` (they apply to this run only). */
export interface ListenerFlags {
  dimsePort?: number;
  dimseHost?: string;
  /** Seconds an accepted DIMSE request waits for its report before the command stops waiting. */
  reportTimeout?: number;
  data?: string;
}

/** What the flags set when the command opens the core: the report timeout of this run. */
export function runOptionsOf(o: ListenerFlags): { reportTimeoutMs?: number } {
  return o.reportTimeout !== undefined ? { reportTimeoutMs: o.reportTimeout * 1000 } : {};
}

/** Starts the listener where DIMSE archives send their reports, with the flags' address and port. */
export async function listenForReports(host: Host, o: ListenerFlags): Promise<void> {
  const overrides: ListenerOverrides = {};
  if (o.dimsePort !== undefined) overrides.port = o.dimsePort;
  if (o.dimseHost !== undefined) overrides.host = o.dimseHost;
  const s = (await host.start({ dimse: { overrides, force: true } })).dimse!;
  if (s.state !== 'listening') throw new CliError(EXIT.usage, `Cannot listen for the archive's report: ${s.detail}`);
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
