import path from 'node:path';
import type { RemoteInput, RemoteView } from '../../src-shared/remotes';
import { isFinal } from '../../src-shared/outgoing';
import type { Host } from '../core/host/host';
import { CliError, EXIT, usageError } from './errors';
import { follow, printTotals, totalsOf } from './follow';
import { afterSendMissing, printSendMissing, runSendMissing } from './migration';
import { contentExit, printContent, runVerifyContent } from './content';
import type { ContentSample } from '../../src-shared/content';
import { scanAndSummarise } from './scan';
import { listenForReports, resumeCommand, type ListenerFlags } from './unfinished';

export interface CommitOptions extends ListenerFlags {
  to: string;
  token?: string;
  basic?: string;
  perRequest?: number;
  wait: boolean;
  report?: string;
  json?: boolean;
  flat?: boolean;
  quiet?: boolean;
  aeTitle?: string;
  /** Then store what the archive lacks (0112H, 0110H) and ask again, for `rounds` rounds. */
  sendMissing?: boolean;
  rounds?: number;
  /** Remote settings: STOW-RS and QIDO-RS base URLs (DICOMweb), the storage AE title (DIMSE). */
  stowUrl?: string;
  qidoUrl?: string;
  storageAe?: string;
  /** Then retrieve the archive's copy of the committed instances (all or a share in percent) and compare it. */
  verifyContent?: ContentSample;
}

/** Flags that cannot go together, refused before the data folder is opened. */
export function checkCommitFlags(o: CommitOptions): void {
  if (o.verifyContent !== undefined && !o.wait) throw usageError('--verify-content compares what the archive committed: it waits for commitment (leave out --no-wait)');
}

/** The remote a `--to` URL names, created or updated under the name "cli: <url>". Safekeep's AE title defaults to `ownAeTitle`. */
export function remoteFromTarget(o: CommitOptions, ownAeTitle = 'SAFEKEEP'): RemoteInput {
  let url: URL;
  try {
    url = new URL(o.to);
  } catch {
    throw usageError(`Invalid --to "${o.to}": use http(s)://host:port/dicomweb or dicom://AET@host:port`);
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (o.token && o.basic) throw usageError('Use either --token or --basic, not both');
    let auth: 'none' | 'bearer' | 'basic' = 'none';
    let secret: string | null = null;
    let username: string | undefined;
    let baseUrl = o.to;
    if (url.username || url.password) {
      // Credentials in the URL become the remote's Basic credentials (kept as its secret, never in its URL).
      if (o.token || o.basic) throw usageError('Give the credentials either in the --to URL or with --token/--basic, not both');
      auth = 'basic';
      username = decodeURIComponent(url.username);
      secret = decodeURIComponent(url.password);
      url.username = '';
      url.password = '';
      baseUrl = url.href;
    } else if (o.token) {
      auth = 'bearer';
      secret = o.token;
    } else if (o.basic) {
      const i = o.basic.indexOf(':');
      if (i <= 0) throw usageError('--basic takes USER:PASSWORD');
      auth = 'basic';
      username = o.basic.slice(0, i);
      secret = o.basic.slice(i + 1);
    }
    if (o.storageAe) throw usageError('--storage-ae is for dicom:// archives; a DICOMweb archive takes --stow-url');
    return {
      kind: 'dicomweb',
      name: `cli: ${url.origin}${url.pathname.replace(/\/+$/, '')}`,
      config: {
        baseUrl,
        auth,
        username,
        ...(o.perRequest ? { maxInstancesPerRequest: o.perRequest } : {}),
        ...(o.stowUrl ? { stowBaseUrl: o.stowUrl } : {}),
        ...(o.qidoUrl ? { qidoBaseUrl: o.qidoUrl } : {}),
      },
      secret,
    };
  }
  if (url.protocol === 'dicom:') {
    const m = /^dicom:\/\/([^@/]+)@([^:/]+):(\d+)\/?$/.exec(o.to);
    if (!m) throw usageError(`Invalid --to "${o.to}": use dicom://AET@HOST:PORT`);
    if (o.token || o.basic) throw usageError('--token and --basic are for DICOMweb archives, not dicom://');
    if (o.stowUrl || o.qidoUrl) throw usageError('--stow-url and --qido-url are for DICOMweb archives; a dicom:// archive takes --storage-ae');
    const aeTitle = decodeURIComponent(m[1]!);
    return {
      kind: 'dimse',
      name: `cli: dicom://${aeTitle}@${m[2]}:${m[3]}`,
      config: {
        aeTitle,
        host: m[2]!,
        port: Number(m[3]),
        callingAeTitle: o.aeTitle ?? ownAeTitle,
        ...(o.perRequest ? { maxInstancesPerRequest: o.perRequest } : {}),
        ...(o.storageAe ? { storageAeTitle: o.storageAe } : {}),
      },
    };
  }
  throw usageError(`Unsupported --to "${o.to}": use http(s)://host:port/dicomweb or dicom://AET@host:port`);
}

/** The remote `--to` names, created or updated with this command's settings (`commit` and `compare` use the same one). */
export async function saveTarget(host: Host, o: CommitOptions): Promise<RemoteView> {
  const input = remoteFromTarget(o, (await host.call('settings-get', {})).dimse.aeTitle);
  const existing = await host.call('remotes-find', { name: input.name });
  return host.call('remotes-save', { input, ...(existing ? { id: existing.id } : {}) });
}

/**
 * `safekeep commit`: scan, send, follow, report. Resolves to the exit code. `signal` (Ctrl-C)
 * stops the waiting: the requests stay stored, and the summary says how to resume.
 *
 * It starts the DICOM listener (a DIMSE archive reports there) and the outgoing engine for this job's
 * requests only: other requests left in flight by an earlier run wait for `safekeep resume` or the app, as do
 * incoming transactions and retention.
 */
export async function commitCommand(host: Host, paths: string[], o: CommitOptions, out: (s: string) => void, signal?: AbortSignal): Promise<number> {
  const remote = await saveTarget(host, o);
  // The archive sends its N-EVENT-REPORT to Safekeep's own listener (it must know this AE title, address and port).
  if (remote.kind === 'dimse') await listenForReports(host, o);

  // Fail fast and clearly when the archive cannot be reached, refuses our credentials, or (DIMSE) cannot report back.
  const test = await host.call('remotes-test', { id: remote.id });
  if (!test.ok) throw new CliError(EXIT.usage, `Cannot use ${o.to}: ${test.message}`);
  const stopped = () => new CliError(EXIT.unfinished, 'Stopped (Ctrl-C) before anything was sent: run the same command again');
  if (signal?.aborted) throw stopped();

  const roots = paths.map((p) => path.resolve(p));
  const cancelScan = () => void host.call('library-cancel-scan', {});
  signal?.addEventListener('abort', cancelScan, { once: true });
  const scan = await scanAndSummarise(host, roots, o.quiet || o.json || false).finally(() => signal?.removeEventListener('abort', cancelScan));
  if (signal?.aborted) throw stopped();
  if (!o.json) out(`Scanned: ${scan.instances} instance(s) in ${scan.studies} study(ies); ${scan.problems.length} file(s) skipped`);
  if (scan.instances === 0) throw usageError(`No DICOM instance found in ${paths.join(', ')}`);

  await host.start({ outgoing: 'own' });
  const job = await host.call('outgoing-create', { remoteId: remote.id, selection: { paths: roots }, form: o.flat ? 'flat' : 'study' });
  if (!o.json) out(`Sending ${job.instances} instance(s) in ${job.requestIds.length} request(s) to ${o.to} (job ${job.jobId})`);

  const outcome = await follow(host, job.requestIds, o.quiet ?? false, o.wait ? 'answered' : 'accepted', signal);
  // With --json and --verify-content, one document: the commitment's, with the content check added.
  const json: string[] = [];
  const commitOut = o.json && o.verifyContent !== undefined ? (line: string) => void json.push(line) : out;
  let code: number | null = null;
  if (o.sendMissing && outcome !== 'interrupted') {
    code = await sendMissingAfter(host, { remoteId: remote.id, roots, requestIds: job.requestIds, jobId: job.jobId }, o, commitOut, signal);
  }
  code ??= await finish(host, job.requestIds, { ...o, jobId: job.jobId, interrupted: outcome === 'interrupted' }, commitOut);
  if (o.verifyContent === undefined) return code;
  if (code === EXIT.unfinished || signal?.aborted) {
    json.forEach(out);
    if (!o.json) out('Verify content: not started (commitment is not finished)');
    return code;
  }
  const { summary, last } = await runVerifyContent(host, { remoteId: remote.id, roots, sample: o.verifyContent, quiet: o.quiet || o.json || false }, signal);
  if (o.json) out(JSON.stringify({ ...(JSON.parse(json.join('\n')) as object), verifyContent: summary }, null, 2));
  else printContent(summary, last, out);
  // Failed commitments stay exit 1; else the content check decides.
  return code === EXIT.ok ? contentExit(summary) : code;
}

/**
 * `--send-missing`: once every request of the job has its final answer, stores what the archive lacks and
 * asks again (migration.ts); null when there is nothing to do (all committed, or answers still missing).
 */
async function sendMissingAfter(
  host: Host,
  job: { remoteId: number; roots: string[]; requestIds: number[]; jobId: number },
  o: CommitOptions,
  out: (s: string) => void,
  signal?: AbortSignal,
): Promise<number | null> {
  const { totals, requests } = await totalsOf(host, job.requestIds);
  if (totals.committed === totals.instances || requests.some((r) => !isFinal(r.state))) return null;
  if (!o.json) {
    printTotals(totals, out);
    out(`Sending what ${o.to} lacks, then asking again (at most ${o.rounds ?? 3} round(s))`);
  }
  const { summary, rates } = await runSendMissing(host, { remoteId: job.remoteId, roots: job.roots, rounds: o.rounds ?? 3, quiet: o.quiet || o.json || false }, signal);
  const end = afterSendMissing(totals, summary);
  // The archive's verdicts: the first answers and every round's, one row per instance.
  if (o.report) await host.call('report-csv-file', { remoteId: job.remoteId, path: o.report });
  if (o.json) {
    out(JSON.stringify({ jobId: job.jobId, totals, sendMissing: summary, final: { instances: totals.instances, committed: end.committed, notCommitted: end.notCommitted }, report: o.report ?? null }, null, 2));
  } else {
    printSendMissing(summary, rates, out);
    out(`Committed ${end.committed} of ${totals.instances} instance(s) (${summary.committedAfterResend} after re-send); ${end.notCommitted} not committed`);
    if (o.report) out(`Report: ${o.report}`);
    if (end.exit === EXIT.unfinished) out(`Not finished: run "${resumeCommand(o)}" later, then the same command again`);
  }
  return end.exit;
}

/** Summary, report and exit code for a set of requests. */
export async function finish(
  host: Host,
  requestIds: number[],
  o: ListenerFlags & { report?: string; json?: boolean; wait: boolean; jobId?: number; interrupted?: boolean },
  out: (s: string) => void,
): Promise<number> {
  const { totals, requests } = await totalsOf(host, requestIds);
  if (o.report) {
    // The rows of these requests, as sent (none: resume with nothing in flight, just the header row).
    await host.call('report-csv-file', { requestIds, path: o.report });
  }
  if (o.json) {
    out(
      JSON.stringify(
        {
          jobId: o.jobId ?? null,
          totals,
          requests: requests.map((r) => ({
            id: r.id,
            transactionUid: r.transactionUid,
            state: r.state,
            instances: r.instanceCount,
            committed: r.committedCount,
            failed: r.failedCount,
            attempts: r.attempts,
            polls: r.polls,
            error: r.error,
          })),
          report: o.report ?? null,
        },
        null,
        2,
      ),
    );
  } else {
    if (o.interrupted) out('Stopped (Ctrl-C): nothing is lost, every request is stored');
    printTotals(totals, out);
    for (const r of requests) if (r.error) out(`  request ${r.id} (${r.transactionUid}): ${r.state}: ${r.error}`);
    if (o.report) out(`Report: ${o.report}`);
    if (!o.wait && totals.pending > 0) out(`Not waiting (--no-wait): run "${resumeCommand(o)}" to follow the requests to their end`);
  }
  const allCommitted = totals.committed === totals.instances;
  if (allCommitted) return EXIT.ok;
  // Stopped before every final answer (report overdue, Ctrl-C): not finished, whatever came so far.
  if ((o.wait || o.interrupted) && requests.some((r) => !isFinal(r.state))) {
    if (!o.json) out(`Not finished: run "${resumeCommand(o)}" later`);
    return EXIT.unfinished;
  }
  if (!o.wait && totals.failed === 0 && requests.every((r) => r.state === 'working' || r.state === 'done' || r.state === 'checking')) {
    return EXIT.ok;
  }
  return EXIT.failures;
}
