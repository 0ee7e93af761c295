import fs from 'node:fs';
import { AppError } from '../../../src-shared/contract/errors';
import type { FailureGroup } from '../../../src-shared/contract/handlers';
import type { ArchiveRef, InstanceVerdict, ReportCsv, ReportScope, ReportStudyRow, ReportSummary, ReportTimeline, SafeToDelete } from '../../../src-shared/report';
import { normaliseAddress } from '../remotes/address';
import { counting, reportCsvChunks, reportCsvText, writeHashed, writeReportFile } from '../report/csv';
import { writeSafeToDelete, type SafeToDeleteResult } from '../report/safe-to-delete';
import { archiveRefs, checkScope, reportName, reportSummary, reportTimeline, type ReportDeps } from '../report/summary';

type Page<T> = { rows: T[]; total: number };

function describe(a: ArchiveRef): string {
  return `"${a.name}"${a.address ? ` (${a.address})` : ' (deleted)'}`;
}

/** "known archives: …" or that none is known, for an error that names what exists. */
export function knownArchives(archives: readonly ArchiveRef[]): string {
  return archives.length ? `known archives: ${archives.map(describe).join(', ')}` : 'no archive is known yet';
}

/**
 * Reports: the verdicts per archive, a job's latest outcomes or requests as sent, as totals, studies, a
 * timeline, CSV and the safe-to-delete list, as text for the app or written to a file or stream.
 */
export class ReportsService {
  constructor(private readonly deps: ReportDeps) {}

  archives(): Promise<ArchiveRef[]> {
    return archiveRefs(this.deps);
  }

  /**
   * An archive by name, by DICOMweb base URL, or by dicom://AET@host:port (as given to `commit --to`, which
   * names its remote "cli: <url>"); deleted remotes with verdicts too. Unknown: not-found naming the known ones.
   */
  async findArchive(text: string): Promise<ArchiveRef> {
    const archives = await this.archives();
    const want = normaliseAddress(text);
    const found =
      archives.find((a) => a.name === text) ??
      archives.find((a) => a.address !== null && normaliseAddress(a.address) === want) ??
      archives.find((a) => a.name === `cli: ${want}` || a.name === `cli: ${text}`);
    if (!found) throw new AppError('not-found', `Unknown remote "${text}": ${knownArchives(archives)}`);
    return found;
  }

  summary(scope: ReportScope): Promise<ReportSummary> {
    return reportSummary(this.deps, scope);
  }

  async studies(scope: ReportScope, page: { limit: number; offset: number }): Promise<Page<ReportStudyRow>> {
    await checkScope(this.deps, scope);
    return this.deps.reports.studies(scope, page);
  }

  async failureReasons(scope: ReportScope): Promise<FailureGroup[]> {
    await checkScope(this.deps, scope);
    return this.deps.reports.failureGroups(scope);
  }

  timeline(jobId: number, buckets: number): Promise<ReportTimeline> {
    return reportTimeline(this.deps, jobId, buckets);
  }

  instance(sopInstanceUid: string): Promise<InstanceVerdict[]> {
    return this.deps.reports.instanceVerdicts(sopInstanceUid);
  }

  /** The CSV as one string (the app downloads it). */
  async csv(scope: ReportScope): Promise<ReportCsv> {
    await checkScope(this.deps, scope);
    return { filename: `${await reportName(this.deps, scope, this.deps.clock.now())}.csv`, ...(await reportCsvText(this.deps.reports.rowBatches(scope))) };
  }

  /** Writes the CSV to a file, a batch of rows at a time. */
  async csvFile(scope: ReportScope, path: string): Promise<{ path: string; rows: number; sha256: string }> {
    await checkScope(this.deps, scope);
    return { path, ...(await writeReportFile(this.deps.reports.rowBatches(scope), path)) };
  }

  /**
   * Writes the CSV through `sink` as it is read, a batch of rows at a time. A typed call of the host, not a
   * handler: the CLI streams it to stdout (a whole report as one string would hold it all in memory).
   */
  async csvTo(scope: ReportScope, sink: (chunk: string) => void): Promise<{ rows: number; sha256: string }> {
    await checkScope(this.deps, scope);
    const counter = { rows: 0 };
    const { sha256 } = await writeHashed(reportCsvChunks(counting(this.deps.reports.rowBatches(scope), counter)), sink);
    return { rows: counter.rows, sha256 };
  }

  /** The safe-to-delete list as one string (the app downloads it). */
  async safeToDelete(remoteId: number): Promise<SafeToDelete> {
    const parts: string[] = [];
    const { archive, ...r } = await this.safeToDeleteTo(remoteId, (c) => parts.push(c));
    const filename = `${await reportName(this.deps, { remoteId }, this.deps.clock.now())}-safe-to-delete.txt`;
    return { filename, text: parts.join(''), ...r, archive };
  }

  /** Writes the safe-to-delete list to a file. */
  async safeToDeleteFile(remoteId: number, path: string): Promise<SafeToDeleteResult & { archive: ArchiveRef; path: string }> {
    await checkScope(this.deps, { remoteId });
    const fd = fs.openSync(path, 'w');
    try {
      return { ...(await this.safeToDeleteTo(remoteId, (c) => fs.writeSync(fd, c))), path };
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Writes the safe-to-delete list through `sink`, a batch at a time. A typed call of the host, not a
   * handler: the CLI streams it to stdout.
   */
  async safeToDeleteTo(remoteId: number, sink: (chunk: string) => void): Promise<SafeToDeleteResult & { archive: ArchiveRef }> {
    await checkScope(this.deps, { remoteId });
    const r = await writeSafeToDelete(this.deps.reports, remoteId, sink);
    const archive = (await this.archives()).find((a) => a.remoteId === remoteId)!;
    return { ...r, archive };
  }
}
