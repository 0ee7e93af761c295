import type { RequestForm } from './commitment/model';
import type { InstanceOutcome } from './transactions';

/**
 * The life of one outgoing commitment request.
 * queued -> posting -> done | working -> done; checking = after a restart, ask (GET) before re-posting.
 */
export type OutgoingState =
  | 'queued' // persisted, waiting to be POSTed (or to retry the POST)
  | 'posting' // POST sent, answer not yet received
  | 'checking' // the answer to a POST was never received: Result Check (GET) before anything else
  | 'working' // 202 received: polling with Result Checks
  | 'done' // every instance has an outcome
  | 'failed' // refused by the archive (4xx) or undeliverable; the reason is in `error`
  | 'lost' // the archive no longer knows the transaction (404/410 while polling); resend to retry
  | 'timed_out' // Working past the deadline
  | 'cancelled'; // by the user: no more polling

/** DICOMweb (PS3.18 §13) or DIMSE (PS3.4 Annex J). */
export type OutgoingProtocol = 'dicomweb' | 'dimse';

export const FINAL_STATES: readonly OutgoingState[] = ['done', 'failed', 'lost', 'timed_out', 'cancelled'];
export const ACTIVE_STATES: readonly OutgoingState[] = ['queued', 'posting', 'checking', 'working'];

export function isFinal(s: OutgoingState): boolean {
  return FINAL_STATES.includes(s);
}

export interface OutgoingRequest {
  id: number;
  jobId: number | null;
  /** The label of its job (typed in the Verify dialog, or made up from the selection). */
  jobLabel: string | null;
  remoteId: number;
  remoteName: string;
  transactionUid: string;
  /** UIDs used before (a 409 makes the engine start over with a new one). */
  previousUids: string[];
  state: OutgoingState;
  form: RequestForm;
  studyUid: string | null;
  label: string | null;
  instanceCount: number;
  committedCount: number;
  failedCount: number;
  createdAt: number;
  sentAt: number | null;
  workingSince: number | null;
  lastContactAt: number | null;
  nextAttemptAt: number | null;
  completedAt: number | null;
  attempts: number;
  polls: number;
  /** The protocol the request goes by (its remote's kind when it was created). */
  protocol: OutgoingProtocol;
  /** The archive's last status: the HTTP status of its last answer (DICOMweb), or its N-ACTION-RSP status (DIMSE). */
  status: number | null;
  error: string | null;
  /** Set when this request forwards an incoming transaction (the DIMSE <-> DICOMweb proxy): its Transaction UID. */
  proxyFor: string | null;
  /** The Safekeep node that works on it now (issue 13: several nodes on one store), and until when its lease holds. */
  leaseOwner?: string | null;
  leaseUntil?: number | null;
}

export interface OutgoingInstance {
  requestId: number;
  seq: number;
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string | null;
  seriesUid: string | null;
  filePath: string | null;
  outcome: InstanceOutcome;
  /** Failure Reason (0008,1197) from the archive; null for committed, pending, or failures the archive did not give a reason for. */
  failureReason: number | null;
  detail: string | null;
  updatedAt: number | null;
}

/** What to verify: any mix of whole studies, series and single instances of the library. */
export interface Selection {
  studies?: string[];
  series?: string[];
  instances?: string[];
  /** Everything indexed from these library roots (or below these paths). */
  paths?: string[];
}
