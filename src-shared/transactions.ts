import type { RequestForm } from './commitment/model';

export type InstanceOutcome = 'pending' | 'committed' | 'failed';

export type IncomingState = 'working' | 'done' | 'expired';
export type IncomingSource = 'dicomweb' | 'dimse';

/** One commitment request that another system sent to this Safekeep. */
export interface IncomingTransaction {
  transactionUid: string;
  source: IncomingSource;
  /** The authenticated client (DICOMweb token name) or the calling AE title (DIMSE). */
  client: string;
  /** Where it came from: remote address, or AE@host for DIMSE. */
  requester: string;
  state: IncomingState;
  mediaType: string | null;
  policy: string;
  instanceCount: number;
  committedCount: number;
  failedCount: number;
  receivedAt: number;
  completedAt: number | null;
  expiresAt: number | null;
  /** DIMSE only: delivery of the N-EVENT-REPORT. */
  reportState: 'pending' | 'sent' | 'retrying' | 'failed' | null;
  reportAttempts: number;
  reportError: string | null;
}

export interface IncomingInstance {
  seq: number;
  sopClassUid: string;
  sopInstanceUid: string;
  form: RequestForm;
  studyUid: string | null;
  seriesUid: string | null;
  outcome: InstanceOutcome;
  failureReason: number | null;
  detail: string | null;
  decidedAt: number | null;
}
