/**
 * Outgoing requests as the engine plans and changes them, and as the store ports take them (a folder of its
 * own so that the store can import it without a cycle: the engine imports the store's ports).
 */
import type { RequestForm } from '../../../../src-shared/commitment/model';
import type { OutgoingState } from '../../../../src-shared/outgoing';

export interface PlannedInstance {
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string | null;
  seriesUid: string | null;
  filePath: string | null;
  /** What the library index said when the request was planned: the file's size and mtime, and the patient data. */
  fileSize?: number | null;
  fileMtimeMs?: number | null;
  patientId?: string | null;
  accessionNumber?: string | null;
  studyDate?: string | null;
}

export interface PlannedRequest {
  transactionUid: string;
  /** The incoming transaction this request forwards (proxy), if any. */
  proxyFor?: string | null;
  /** The earlier request of the same job whose instances this one resends. */
  followUpOf?: number | null;
  form: RequestForm;
  studyUid: string | null;
  label: string | null;
  instances: PlannedInstance[];
}

export interface InstanceResult {
  seq: number;
  outcome: 'committed' | 'failed';
  failureReason: number | null;
  detail: string | null;
}

/**
 * Fields of a request the engine may change. `state` is written only by the lifecycle (lifecycle.ts);
 * `status` is the last HTTP status, or the last N-ACTION-RSP status, as the request's protocol says.
 */
export type RequestPatch = Partial<
  Record<
    'transactionUid' | 'sentAt' | 'workingSince' | 'lastContactAt' | 'nextAttemptAt' | 'completedAt' | 'attempts' | 'polls' | 'status' | 'error' | 'rawResponse',
    string | number | null
  >
> & { state?: OutgoingState };

/** An N-EVENT-REPORT that matched no request Safekeep could complete, kept as it came. */
export interface UnmatchedReport {
  transactionUid: string;
  callingAe: string;
  eventType: number;
  receivedAt: number;
  why: string;
}
