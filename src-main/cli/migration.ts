/**
 * Finishing a migration from the command line (issue 11 §1, §2): `commit --send-missing [--rounds N]`
 * stores what the archive lacks and asks again; `compare` sets each local study beside the archive's
 * own listing and the verdicts.
 */
import path from 'node:path';
import type { CrossCheckInstance, CrossCheckResult } from '../../src-shared/crosscheck';
import type { ResendProgress, ResendSummary } from '../../src-shared/resend';
import type { SafekeepEvents } from '../../src-shared/contract/events';
import type { Host } from '../core/host/host';
import { CliError, EXIT, usageError } from './errors';
import type { Totals } from './follow';
import { Progress } from './progress';
import { scanAndSummarise } from './scan';

const SHOWN = 20;

function progressLine(p: ResendProgress): string[] {
  const head = `Send missing, round ${p.round} of ${p.rounds}`;
  if (p.phase === 'committing') return [`${head}: ${p.stored} stored; asking for commitment again`];
  const left = p.secondsLeft === null ? '' : `, ${p.secondsLeft} s left`;
  return [
    `${head}: ${p.done} of ${p.total} sent, ${p.stored} stored; ${p.instancesPerSecond} instances/s, ${p.megabytesPerSecond} MB/s${left}`,
    `${head}: ${p.done}/${p.total}, ${p.instancesPerSecond}/s${left}`,
  ];
}

/**
 * Runs a migration handler for one archive with its progress events on one line (on a terminal) and Ctrl-C
 * cancelling the archive's runs (what they did so far stays).
 */
export async function withRunProgress<E extends 'resend-progress' | 'content-progress', T>(
  host: Host,
  o: { event: E; remoteId: number; quiet: boolean; signal?: AbortSignal; line: (p: SafekeepEvents[E]) => string[] },
  run: () => Promise<T>,
): Promise<T> {
  const progress = new Progress(o.quiet);
  const off = host.events.on(o.event, (p: SafekeepEvents[E]) => {
    if (p.remoteId === o.remoteId) progress.update(o.line(p));
  });
  const cancel = () => void host.call('migration-cancel', { remoteId: o.remoteId });
  o.signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await run();
  } finally {
    progress.done();
    off();
    o.signal?.removeEventListener('abort', cancel);
  }
}

/** Runs send-missing for the selection, with a progress line on a terminal; Ctrl-C stops it (what is done stays). */
export async function runSendMissing(
  host: Host,
  o: { remoteId: number; roots: string[]; rounds: number; quiet: boolean },
  signal?: AbortSignal,
): Promise<{ summary: ResendSummary; rates: Map<number, ResendProgress> }> {
  // The last sending figures of each round, for the summary lines.
  const rates = new Map<number, ResendProgress>();
  const line = (p: ResendProgress) => {
    if (p.phase === 'sending') rates.set(p.round, p);
    return progressLine(p);
  };
  const summary = await withRunProgress(host, { event: 'resend-progress', remoteId: o.remoteId, quiet: o.quiet, ...(signal ? { signal } : {}), line }, () =>
    host.call('migration-send-missing', { remoteId: o.remoteId, selection: { paths: o.roots }, rounds: o.rounds }),
  );
  return { summary, rates };
}

/** The rounds, what was not re-sent and why, and what is still not committed. */
export function printSendMissing(s: ResendSummary, rates: ReadonlyMap<number, ResendProgress>, out: (s: string) => void): void {
  for (const n of s.notResendable) out(`Not re-sent: ${n.count} × ${n.why}`);
  if (s.selected === 0) {
    out('Send missing: no instance failed with a reason that sending again fixes (0112H, 0110H)');
    return;
  }
  for (const r of s.rounds) {
    const notStored = Object.entries(r.notStored).map(([k, n]) => `${n} ${k}`);
    const rate = rates.get(r.round);
    const speed = rate ? `; ${rate.instancesPerSecond} instances/s, ${rate.megabytesPerSecond} MB/s` : '';
    const commit = r.jobId === null ? 'nothing to ask' : `job ${r.jobId}: ${r.committed} committed, ${r.failed} failed${r.pending ? `, ${r.pending} pending` : ''}`;
    out(`Send missing, round ${r.round}: stored ${r.stored} of ${r.selected}${notStored.length ? ` (not stored: ${notStored.join(', ')})` : ''}${speed}; ${commit}`);
  }
  for (const l of s.left.slice(0, SHOWN)) out(`  not committed: ${l.filePath} (${l.sopInstanceUid}): ${l.why}`);
  if (s.leftCount > SHOWN) out(`  … and ${s.leftCount - SHOWN} more (see the report)`);
}

/** The totals of the first verification with what the rounds committed, and the exit code. */
export function afterSendMissing(first: Totals, s: ResendSummary): { committed: number; notCommitted: number; exit: number } {
  const committed = first.committed + s.committedAfterResend;
  const notCommitted = first.instances - committed;
  if (s.end === 'unfinished' || s.end === 'cancelled') return { committed, notCommitted, exit: EXIT.unfinished };
  return { committed, notCommitted, exit: notCommitted === 0 ? EXIT.ok : EXIT.failures };
}

function describeInstance(i: CrossCheckInstance): string {
  return `${i.filePath} (${i.sopInstanceUid}) [${i.verdict ?? 'never asked'}]`;
}

/** The cross-check in words: totals, then per study what disagrees. */
export function printCompare(r: CrossCheckResult, out: (s: string) => void): void {
  const t = r.totals;
  out(`Compared ${t.studies} study(ies), ${t.local} local instance(s), with ${r.via} at ${r.source}: ${t.listed} listed, ${t.notListed} not listed`);
  out(`  committed but not listed: ${t.committedNotListed}; listed but not committed: ${t.listedNotCommitted}${t.errors ? `; ${t.errors} study(ies) could not be asked` : ''}`);
  for (const s of r.studies) {
    const about = [s.patientId, s.accessionNumber, s.studyDate].filter(Boolean).join(', ');
    if (s.error !== null) {
      out(`Study ${s.studyUid}${about ? ` (${about})` : ''}: not checked: ${s.error}`);
      continue;
    }
    const only = s.archiveOnly ? `, ${s.archiveOnly} listed only by the archive` : '';
    out(`Study ${s.studyUid}${about ? ` (${about})` : ''}: ${s.local} local, ${s.listed} listed, ${s.committed} committed${only}`);
    const committedNotListed = new Set(s.committedNotListed.map((i) => i.sopInstanceUid));
    for (const i of s.notListed.slice(0, SHOWN)) out(`  not listed: ${describeInstance(i)}${committedNotListed.has(i.sopInstanceUid) ? ': committed but not listed' : ''}`);
    if (s.notListed.length > SHOWN) out(`  … and ${s.notListed.length - SHOWN} more not listed (--json lists them all)`);
    for (const i of s.listedNotCommitted.slice(0, SHOWN)) out(`  listed but not committed: ${describeInstance(i)}`);
    if (s.listedNotCommitted.length > SHOWN) out(`  … and ${s.listedNotCommitted.length - SHOWN} more listed but not committed`);
  }
}

/** `safekeep compare`: scan, ask the archive per study, print; exit 0 every local instance listed, 1 not, 2 could not ask. */
export async function compareCommand(
  host: Host,
  remoteId: number,
  paths: string[],
  o: { json?: boolean; quiet?: boolean },
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const roots = paths.map((p) => path.resolve(p));
  const scan = await scanAndSummarise(host, roots, o.quiet || o.json || false);
  if (scan.instances === 0) throw usageError(`No DICOM instance found in ${paths.join(', ')}`);
  const progress = new Progress(o.quiet || o.json || false);
  const off = host.events.on('compare-progress', (p) => progress.update(`Comparing: ${p.done} of ${p.total} studies asked, ${p.notListed} instance(s) not listed`));
  let r: CrossCheckResult;
  try {
    r = await host.call('migration-compare', { remoteId, selection: { paths: roots } });
  } finally {
    progress.done();
    off();
  }
  if (o.json) out(JSON.stringify(r, null, 2));
  else printCompare(r, out);
  if (r.totals.errors > 0) {
    const first = r.studies.find((s) => s.error !== null)!;
    if (r.totals.errors === r.totals.studies) throw new CliError(EXIT.usage, `Cannot list the studies at ${r.source}: ${first.error}`);
    err(`safekeep: ${r.totals.errors} of ${r.totals.studies} study(ies) could not be listed at ${r.source}; first: ${first.error}`);
    return EXIT.usage;
  }
  return r.allListed ? EXIT.ok : EXIT.failures;
}
