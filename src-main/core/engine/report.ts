import { stringify } from 'csv-stringify/sync';
import { failureReasonMeaning, hex4 } from '../../../src-shared/dicom/failure-reasons';
import type { ReportRow } from '../store/outgoing-repo';

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
] as const;

const iso = (t: number | null) => (t === null ? '' : new Date(t).toISOString());

/**
 * The verification report: one row per instance. `outcome` is committed, failed, or
 * not verified (the request was cancelled or is still pending); failure reasons are
 * given as code (e.g. 0112H) and meaning.
 */
export function reportCsv(rows: readonly ReportRow[]): string {
  return stringify(
    rows.map((r) => [
      r.studyUid ?? '',
      r.seriesUid ?? '',
      r.sopClassUid,
      r.sopInstanceUid,
      r.filePath ?? '',
      r.remoteName,
      r.transactionUid,
      r.requestState,
      r.outcome === 'pending' ? 'not verified' : r.outcome,
      r.failureReason === null ? '' : hex4(r.failureReason),
      r.failureReason === null ? '' : failureReasonMeaning(r.failureReason),
      r.detail ?? '',
      iso(r.requestedAt),
      iso(r.sentAt),
      iso(r.decidedAt),
    ]),
    { header: true, columns: [...REPORT_COLUMNS] },
  );
}
