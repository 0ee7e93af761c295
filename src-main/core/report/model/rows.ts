/** What reports read, as the store ports give it (a folder of its own: the store imports it, reports import the store). */
import type { OutgoingState } from '../../../../src-shared/outgoing';

/** One instance row of a report (a verdict, a job's latest outcome, or a request's row). */
export interface ReportRow {
  remoteId: number;
  studyUid: string;
  seriesUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
  filePath: string | null;
  remoteName: string;
  transactionUid: string;
  requestId: number;
  seq: number;
  requestState: OutgoingState;
  outcome: 'committed' | 'failed' | 'pending';
  failureReason: number | null;
  detail: string | null;
  requestedAt: number;
  sentAt: number | null;
  decidedAt: number | null;
  patientId: string | null;
  accessionNumber: string | null;
  studyDate: string | null;
  jobLabel: string | null;
}

/** A committed instance's file as it was when the request was planned. */
export interface VerifiedFile {
  filePath: string | null;
  fileSize: number | null;
  fileMtimeMs: number | null;
}

export interface JobRef {
  id: number;
  label: string;
  createdAt: number;
  remoteId: number;
}
