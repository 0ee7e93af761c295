import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { failureReasonMeaning, hex4 } from '../../../src-shared/dicom/failure-reasons';
import type { ReportRow } from './model/rows';

export const REPORT_COLUMNS = [
  'study_instance_uid',
  'series_instance_uid',
  'sop_class_uid',
  'sop_instance_uid',
  'file_path',
  'remote',
  'transaction_uid',
  'request_state',
  'outcome',
  'failure_reason',
  'failure_meaning',
  'detail',
  'requested_at',
  'sent_at',
  'decided_at',
  'patient_id',
  'accession_number',
  'study_date',
  'job_label',
] as const;

const iso = (t: number | null) => (t === null ? '' : new Date(t).toISOString());

function cells(r: ReportRow): string[] {
  return [
    r.studyUid,
    r.seriesUid,
    r.sopClassUid,
    r.sopInstanceUid,
    r.filePath ?? '',
    r.remoteName,
    r.transactionUid,
    r.requestState,
    r.outcome,
    r.failureReason === null ? '' : hex4(r.failureReason),
    r.failureReason === null ? '' : failureReasonMeaning(r.failureReason),
    r.detail ?? '',
    iso(r.requestedAt),
    iso(r.sentAt),
    iso(r.decidedAt),
    r.patientId ?? '',
    r.accessionNumber ?? '',
    r.studyDate ?? '',
    r.jobLabel ?? '',
  ];
}

/**
 * The verification report as CSV text, a batch of rows at a time (csv-stringify per batch; the
 * header first, also for no rows). `outcome` is committed, failed or pending; failure reasons are
 * given as code (e.g. 0112H) and meaning, and `detail` keeps Safekeep's whole explanation.
 */
export async function* reportCsvChunks(batches: AsyncIterable<readonly ReportRow[]> | Iterable<readonly ReportRow[]>): AsyncGenerator<string> {
  yield stringify([], { header: true, columns: [...REPORT_COLUMNS] });
  for await (const batch of batches) yield stringify(batch.map(cells));
}

/** Text chunks written through `sink`, counted and hashed (SHA-256 of the UTF-8 bytes, hex). */
export async function writeHashed(chunks: AsyncIterable<string>, sink: (chunk: string) => void): Promise<{ sha256: string; chunks: number }> {
  const hash = createHash('sha256');
  let n = 0;
  for await (const c of chunks) {
    hash.update(c, 'utf8');
    sink(c);
    n++;
  }
  return { sha256: hash.digest('hex'), chunks: n };
}

/** Counts the rows of the batches as they go by. */
export async function* counting<T>(batches: AsyncIterable<readonly T[]>, counter: { rows: number }): AsyncGenerator<readonly T[]> {
  for await (const b of batches) {
    counter.rows += b.length;
    yield b;
  }
}

/** The report as one string (the app downloads it), with its SHA-256 and number of rows. */
export async function reportCsvText(batches: AsyncIterable<readonly ReportRow[]>): Promise<{ csv: string; sha256: string; rows: number }> {
  const counter = { rows: 0 };
  const parts: string[] = [];
  const { sha256 } = await writeHashed(reportCsvChunks(counting(batches, counter)), (c) => parts.push(c));
  return { csv: parts.join(''), sha256, rows: counter.rows };
}

/** Writes the report to a file, a batch at a time. */
export async function writeReportFile(batches: AsyncIterable<readonly ReportRow[]>, file: string): Promise<{ sha256: string; rows: number }> {
  const counter = { rows: 0 };
  const fd = fs.openSync(file, 'w');
  try {
    const { sha256 } = await writeHashed(reportCsvChunks(counting(batches, counter)), (c) => fs.writeSync(fd, c));
    return { sha256, rows: counter.rows };
  } finally {
    fs.closeSync(fd);
  }
}
