import fs from 'node:fs';
import { redactUrls } from '../../src-shared/redact';
import { LEFT_OUT_REASONS, type ArchiveRef, type LeftOutReason, type ReportScope } from '../../src-shared/report';
import type { SafekeepCore } from '../core/app';
import { reportCsvChunks, writeHashed, counting, writeReportFile } from '../core/report/csv';
import { writeSafeToDelete } from '../core/report/safe-to-delete';
import { archiveRefs } from '../core/report/summary';
import { usageError } from './errors';

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

function known(archives: readonly ArchiveRef[]): string {
  return archives.length ? `known archives: ${archives.map(describe).join(', ')}` : 'no archive is known yet';
}

/** A URL without its trailing slashes; the AE title, host and port of a dicom:// address as reports write them. */
function normalise(s: string): string {
  const dicom = /^dicom:\/\/([^@/]+)@([^:/]+):(\d+)\/?$/.exec(s);
  return dicom ? `${decodeURIComponent(dicom[1]!)}@${dicom[2]}:${dicom[3]}` : s.replace(/\/+$/, '');
}

/**
 * `--remote`: an archive by name, by DICOMweb base URL, or by dicom://AET@host:port (as given to
 * `commit --to`, which names its remote "cli: <url>"). Unknown: a usage error listing the known ones.
 */
export async function resolveArchive(core: SafekeepCore, text: string): Promise<ArchiveRef> {
  const archives = await archiveRefs(core.reportDeps());
  const want = normalise(text);
  const found =
    archives.find((a) => a.name === text) ??
    archives.find((a) => a.address !== null && normalise(a.address) === want) ??
    archives.find((a) => a.name === `cli: ${want}` || a.name === `cli: ${text}`);
  if (!found) throw usageError(`Unknown remote "${text}": ${known(archives)}`);
  return found;
}

async function scopeOf(core: SafekeepCore, o: ReportOptions, archive: ArchiveRef | null): Promise<ReportScope> {
  if (o.job !== undefined && o.transaction) throw usageError('Give --job or --transaction, not both');
  if (o.transaction) {
    const r = await core.outgoing.findByUid(o.transaction);
    if (!r) throw usageError(`No outgoing request with Transaction UID ${o.transaction}`);
    if (archive && r.remoteId !== archive.remoteId) throw usageError(`Request ${o.transaction} went to "${r.remoteName}", not ${describe(archive)}`);
    return { requestIds: [r.id] };
  }
  if (o.job !== undefined) {
    const job = await core.reports.job(o.job);
    if (!job) throw usageError(`No job ${o.job}`);
    if (archive && job.remoteId !== archive.remoteId) throw usageError(`Job ${o.job} went to another archive, not ${describe(archive)}`);
    // The rows of every request of the job, as sent (a resent instance once per request).
    return { requestIds: (await core.outgoing.list({ jobId: o.job, limit: 1_000_000, offset: 0 })).rows.map((r) => r.id) };
  }
  return archive ? { remoteId: archive.remoteId } : {};
}

/**
 * `safekeep report`: with neither --job nor --transaction the verdicts (one row per instance and
 * archive); with them the rows of that job's requests or that request, as sent (history, for audit).
 * To --out FILE, or to stdout and nothing else there.
 */
export async function reportCommand(core: SafekeepCore, o: ReportOptions, out: Print, err: Print): Promise<void> {
  if (o.safeToDelete) return safeToDeleteCommand(core, o, out, err);
  const archive = o.remote ? await resolveArchive(core, o.remote) : null;
  const scope = await scopeOf(core, o, archive);
  const batches = core.reports.rowBatches(scope);
  if (o.out) {
    const r = await writeReportFile(batches, o.out);
    out(`Wrote ${r.rows} row(s) to ${o.out} (SHA-256 ${r.sha256})`);
  } else {
    await writeHashed(reportCsvChunks(counting(batches, { rows: 0 })), stdout);
  }
}

/** `safekeep report --safe-to-delete`: one path per line; what is left out counted on stderr, by why. */
export async function safeToDeleteCommand(core: SafekeepCore, o: ReportOptions, out: Print, err: Print): Promise<void> {
  if (o.job !== undefined || o.transaction) throw usageError('--safe-to-delete is about an archive: give --remote, not --job or --transaction');
  const archive = o.remote ? await resolveArchive(core, o.remote) : await onlyArchive(core);
  const fd = o.out ? fs.openSync(o.out, 'w') : null;
  let r;
  try {
    r = await writeSafeToDelete(core.reports, archive.remoteId, fd === null ? stdout : (c) => fs.writeSync(fd, c));
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
  // With the list on stdout, every message goes to stderr.
  const say = o.out ? out : err;
  say(`Safe to delete: ${r.files} file(s) committed by ${describe(archive)} and unchanged since verified${o.out ? `, written to ${o.out} (SHA-256 ${r.sha256})` : ''}`);
  for (const [why, n] of Object.entries(r.leftOut) as [LeftOutReason, number][]) {
    if (n > 0) err(`left out: ${n} × ${LEFT_OUT_REASONS[why]}`);
  }
}

async function onlyArchive(core: SafekeepCore): Promise<ArchiveRef> {
  const archives = await archiveRefs(core.reportDeps());
  const asked = archives.filter((a) => a.verdicts > 0);
  if (asked.length === 1) return asked[0]!;
  throw usageError(`--safe-to-delete needs --remote NAME|URL: ${asked.length === 0 ? 'no archive has verified anything yet' : known(asked)}`);
}
