import { redactUrls } from '../../src-shared/redact';
import { LEFT_OUT_REASONS, type ArchiveRef, type LeftOutReason, type ReportScope } from '../../src-shared/report';
import type { Host } from '../core/host/host';
import { knownArchives } from '../core/services/reports';
import { usageError } from './errors';
import { requestByUid, requestsOfJob } from './pages';

export interface ReportOptions {
  out?: string;
  job?: number;
  transaction?: string;
  remote?: string;
  safeToDelete?: boolean;
}

type Print = (line: string) => void;

const stdout = (chunk: string) => void process.stdout.write(redactUrls(chunk));

function describe(a: ArchiveRef): string {
  return `"${a.name}"${a.address ? ` (${a.address})` : ' (deleted)'}`;
}

async function scopeOf(host: Host, o: ReportOptions, archive: ArchiveRef | null): Promise<ReportScope> {
  if (o.job !== undefined && o.transaction) throw usageError('Give --job or --transaction, not both');
  if (o.transaction) {
    const r = await requestByUid(host, o.transaction);
    if (archive && r.remoteId !== archive.remoteId) throw usageError(`Request ${o.transaction} went to "${r.remoteName}", not ${describe(archive)}`);
    return { requestIds: [r.id] };
  }
  if (o.job !== undefined) {
    const { rows } = await requestsOfJob(host, o.job);
    if (rows.length === 0) throw usageError(`No job ${o.job}`);
    if (archive && rows[0]!.remoteId !== archive.remoteId) throw usageError(`Job ${o.job} went to another archive, not ${describe(archive)}`);
    // The rows of every request of the job, as sent (a resent instance once per request).
    return { requestIds: rows.map((r) => r.id) };
  }
  return archive ? { remoteId: archive.remoteId } : {};
}

/**
 * `safekeep report`: with neither --job nor --transaction the verdicts (one row per instance and
 * archive); with them the rows of that job's requests or that request, as sent (history, for audit).
 * To --out FILE, or to stdout and nothing else there.
 */
export async function reportCommand(host: Host, o: ReportOptions, out: Print, err: Print): Promise<void> {
  if (o.safeToDelete) return safeToDeleteCommand(host, o, out, err);
  const archive = o.remote ? await host.call('report-find-archive', { text: o.remote }) : null;
  const scope = await scopeOf(host, o, archive);
  if (o.out) {
    const r = await host.call('report-csv-file', { ...scope, path: o.out });
    out(`Wrote ${r.rows} row(s) to ${o.out} (SHA-256 ${r.sha256})`);
  } else {
    await host.streams.reportCsv(scope, stdout);
  }
}

/** `safekeep report --safe-to-delete`: one path per line; what is left out counted on stderr, by why. */
export async function safeToDeleteCommand(host: Host, o: ReportOptions, out: Print, err: Print): Promise<void> {
  if (o.job !== undefined || o.transaction) throw usageError('--safe-to-delete is about an archive: give --remote, not --job or --transaction');
  const archive = o.remote ? await host.call('report-find-archive', { text: o.remote }) : await onlyArchive(host);
  const r = o.out ? await host.call('report-safe-to-delete-file', { remoteId: archive.remoteId, path: o.out }) : await host.streams.safeToDelete(archive.remoteId, stdout);
  // With the list on stdout, every message goes to stderr.
  const say = o.out ? out : err;
  say(`Safe to delete: ${r.files} file(s) committed by ${describe(archive)} and unchanged since verified${o.out ? `, written to ${o.out} (SHA-256 ${r.sha256})` : ''}`);
  for (const [why, n] of Object.entries(r.leftOut) as [LeftOutReason, number][]) {
    if (n > 0) err(`left out: ${n} × ${LEFT_OUT_REASONS[why]}`);
  }
}

async function onlyArchive(host: Host): Promise<ArchiveRef> {
  const asked = (await host.call('report-archives', {})).filter((a) => a.verdicts > 0);
  if (asked.length === 1) return asked[0]!;
  throw usageError(`--safe-to-delete needs --remote NAME|URL: ${asked.length === 0 ? 'no archive has verified anything yet' : knownArchives(asked)}`);
}
