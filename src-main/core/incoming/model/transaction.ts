/**
 * Incoming transactions as the intake, the processor and the policies use them, and as the store ports take
 * them (a folder of its own so that the store can import it without a cycle: the incoming services import
 * the store's ports).
 */
import type { RequestedInstance } from '../../../../src-shared/commitment/model';
import type { IncomingSource } from '../../../../src-shared/transactions';

export interface NewIncoming {
  transactionUid: string;
  source: IncomingSource;
  client: string;
  requester: string;
  mediaType: string | null;
  policy: string;
  instances: readonly RequestedInstance[];
  receivedAt: number;
}

/** The requester of a DIMSE transaction, to send the N-EVENT-REPORT back. */
export interface ReportMeta {
  callingAeTitle: string;
  calledAeTitle: string;
  remoteHost: string;
}

/** Back-pressure: a new transaction is refused while this much is being decided. */
export interface IncomingLimits {
  maxWorking: number;
  maxPending: number;
}

export interface IncomingLoad {
  working: number;
  pending: number;
}

/** Whether a new transaction was stored, or why not (its UID is taken, or too much is being decided). */
export type CreateIncomingOutcome = { created: true } | { created: false; why: 'duplicate' } | { created: false; why: 'busy'; load: IncomingLoad };

/** A policy's word on one instance. */
export interface Decision {
  seq: number;
  outcome: 'committed' | 'failed';
  failureReason?: number;
  detail?: string;
}

/** An instance still to decide, with its place in the request. */
export interface PendingInstance extends RequestedInstance {
  seq: number;
}

export interface ReportDelivery {
  state: 'pending' | 'sent' | 'retrying' | 'failed';
  attempts?: number;
  error?: string | null;
  nextAt?: number | null;
  meta?: ReportMeta;
}
