import type { InstanceOutcome } from './transactions';

/**
 * What a report is about. Only `remoteId` (or nothing: every archive): the verdicts, one row per
 * instance and archive. `jobId`: the latest outcome of each instance within that job (a resend
 * replaces the earlier outcome). `requestIds`: every instance row of those requests, as sent.
 */
export interface ReportScope {
  remoteId?: number;
  jobId?: number;
  requestIds?: number[];
}

export type ReportView = 'archive' | 'all-archives' | 'job' | 'requests';

export function viewOf(s: ReportScope): ReportView {
  if (s.requestIds) return 'requests';
  if (s.jobId !== undefined) return 'job';
  return s.remoteId !== undefined ? 'archive' : 'all-archives';
}

/** An archive as reports name it: a DICOMweb base URL or AE@host:port. */
export interface ArchiveRef {
  remoteId: number;
  name: string;
  kind: 'dicomweb' | 'dimse' | null;
  /** null when the remote was deleted since. */
  address: string | null;
  /** Instances with a verdict for this archive. */
  verdicts: number;
}

export interface ReportTotals {
  /** committed + failed + pending. */
  instances: number;
  committed: number;
  failed: number;
  pending: number;
  /** Library instances never asked of this archive (archive view only; null elsewhere). */
  neverAsked: number | null;
}

export interface FailureReasonCount {
  code: number | null;
  /** The code's meaning, or the whole text Safekeep recorded when the archive gave no code. */
  meaning: string;
  count: number;
}

export interface FailedInstance {
  studyUid: string | null;
  sopInstanceUid: string;
  filePath: string | null;
  transactionUid: string;
  reason: string;
}

export interface ReportSummary {
  generatedAt: number;
  view: ReportView;
  /** The archives the report covers. */
  archives: ArchiveRef[];
  job: { id: number; label: string; createdAt: number } | null;
  requests: number;
  studies: number;
  totals: ReportTotals;
  failureReasons: FailureReasonCount[];
  /** The failed instances (at most 10,000), for the printable page. */
  failed: FailedInstance[];
  /** Who runs Safekeep (the OS user) and which Safekeep, for the sign-off. */
  operator: string;
  version: string;
}

export interface ReportStudyRow {
  studyUid: string;
  patientId: string | null;
  accessionNumber: string | null;
  studyDate: string | null;
  instances: number;
  committed: number;
  failed: number;
  pending: number;
}

export interface TimelinePoint {
  at: number;
  committed: number;
  failed: number;
  pending: number;
}

/** A job's instances over time: how many were committed, failed and still pending at the end of each bucket. */
export interface ReportTimeline {
  jobId: number;
  startedAt: number;
  bucketMs: number;
  running: boolean;
  points: TimelinePoint[];
}

export interface ReportCsv {
  filename: string;
  csv: string;
  /** SHA-256 of the CSV's UTF-8 bytes (hex), for the sign-off. */
  sha256: string;
  rows: number;
}

/** Why a file is not on the safe-to-delete list. */
export const LEFT_OUT_REASONS = {
  changed: 'committed, but the file changed since it was verified (size or modification time)',
  missing: 'committed, but the file is not there any more',
  unknownState: 'committed, but its size and modification time at verification are not known (verified before Safekeep kept them): verify again',
  failed: 'not committed (failed)',
  pending: 'not verified yet (pending)',
  neverAsked: 'in the library, never asked of this archive',
  unlistable: 'committed, but its path holds a line break (cannot be one line)',
} as const;

export type LeftOutReason = keyof typeof LEFT_OUT_REASONS;

export interface SafeToDelete {
  filename: string;
  /** One path per line. */
  text: string;
  sha256: string;
  files: number;
  leftOut: Record<LeftOutReason, number>;
  archive: ArchiveRef;
}

/** The verdict of one instance at one archive. */
export interface InstanceVerdict {
  remoteId: number;
  remoteName: string;
  sopInstanceUid: string;
  outcome: InstanceOutcome;
  failureReason: number | null;
  detail: string | null;
  transactionUid: string;
  jobId: number | null;
  decidedAt: number | null;
  filePath: string | null;
}
