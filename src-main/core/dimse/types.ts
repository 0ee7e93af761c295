/**
 * Types shared by the DIMSE Storage Commitment facade (PS3.4 Annex J, Push Model).
 * DIMSE statuses are plain numbers in results; only transport-level failures
 * (connect, reject, abort, timeout, protocol) become a thrown DimseError.
 */
import type tls from 'node:tls';
import type { InstanceRef } from '../../../src-shared/commitment/model';
import { hex4 } from '../../../src-shared/dicom/failure-reasons';

export type { InstanceRef };

export interface AeAddress {
  aeTitle: string;
  host: string;
  port: number;
  /** DICOM TLS toward this AE (core/tls/profile.ts clientTlsOptions); absent: plain TCP. */
  tls?: tls.ConnectionOptions;
}

export type FailedInstanceRef = InstanceRef & { failureReason: number };

/** An N-EVENT-REPORT (Storage Commitment Result) as data. */
export interface CommitmentReport {
  transactionUid: string;
  eventTypeId: 1 | 2;
  committed: InstanceRef[];
  failed: FailedInstanceRef[];
  /** The AE title of the peer that sent the report. */
  callingAeTitle: string;
  /** True when the report came on the association that carried the N-ACTION. */
  sameAssociation: boolean;
}

/** What Safekeep sends in an N-EVENT-REPORT (the event type follows from `failed`). */
export interface CommitmentReportContent {
  transactionUid: string;
  committed: InstanceRef[];
  failed: FailedInstanceRef[];
}

/** A validated N-ACTION (Storage Commitment Request, Action Type 1) as data. */
export interface NActionRequestData {
  transactionUid: string;
  instances: InstanceRef[];
  callingAeTitle: string;
  calledAeTitle: string;
  remoteHost: string;
}

export type DimseFailureKind = 'connect-failed' | 'rejected' | 'aborted' | 'timeout' | 'protocol';

/** A failure of the association itself, never of a DIMSE status (statuses are returned as data). */
export class DimseError extends Error {
  readonly kind: DimseFailureKind;
  readonly detail?: string;
  /** A rejection that will not change by itself (A-ASSOCIATE-RJ permanent, no accepted presentation context). */
  permanent = false;
  /** The DIMSE request (N-ACTION) had been sent when the association failed: it may have arrived. */
  requestSent = false;
  constructor(kind: DimseFailureKind, message: string, detail?: string) {
    super(message);
    this.name = 'DimseError';
    this.kind = kind;
    if (detail !== undefined) this.detail = detail;
  }
}

export const STORAGE_COMMITMENT_PUSH_MODEL_SOP_CLASS = '1.2.840.10008.1.20.1';
export const STORAGE_COMMITMENT_PUSH_MODEL_SOP_INSTANCE = '1.2.840.10008.1.20.1.1';
export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';
/** Study Root Query/Retrieve Information Model - FIND and - GET (PS3.4 C.6.2). */
export const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
export const STUDY_ROOT_GET = '1.2.840.10008.5.1.4.1.2.2.3';
export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

/** N-ACTION Action Type ID "Request Storage Commitment". */
export const ACTION_TYPE_REQUEST_COMMITMENT = 1;
/** N-EVENT-REPORT Event Type IDs. */
export const EVENT_TYPE_ALL_COMMITTED = 1;
export const EVENT_TYPE_FAILURES_EXIST = 2;

/** General DIMSE statuses used by N-ACTION / N-EVENT-REPORT (PS3.7 §10.1.1.1.8, §10.1.4.1.10). */
export const DIMSE_STATUS = {
  Success: 0x0000,
  ProcessingFailure: 0x0110,
  NoSuchSopInstance: 0x0112,
  NoSuchEventType: 0x0113,
  NoSuchArgument: 0x0114,
  InvalidArgumentValue: 0x0115,
  InvalidSopInstance: 0x0117,
  NoSuchSopClass: 0x0118,
  ClassInstanceConflict: 0x0119,
  NoSuchAction: 0x0123,
  NotAuthorized: 0x0124,
  DuplicateInvocation: 0x0210,
  UnrecognizedOperation: 0x0211,
  MistypedArgument: 0x0212,
  ResourceLimitation: 0x0213,
} as const;

const STATUS_TEXT: Record<number, string> = {
  0x0000: 'Success',
  0x0110: 'Processing failure',
  0x0112: 'No such SOP Instance',
  0x0113: 'No such event type',
  0x0114: 'No such argument',
  0x0115: 'Invalid argument value',
  0x0117: 'Invalid SOP Instance',
  0x0118: 'No such SOP Class',
  0x0119: 'Class-Instance conflict',
  0x0123: 'No such action',
  0x0124: 'Refused: not authorized',
  0x0210: 'Duplicate invocation',
  0x0211: 'Unrecognized operation',
  0x0212: 'Mistyped argument',
  0x0213: 'Resource limitation',
};

/** "0115H Invalid argument value"; unknown codes get a class from PS3.7 Annex C ranges. */
export function describeStatus(code: number): string {
  const known = STATUS_TEXT[code];
  if (known) return `${hex4(code)} ${known}`;
  let cls = 'Unknown status';
  if (code === 0xfe00) cls = 'Cancel';
  else if (code === 0xff00 || code === 0xff01) cls = 'Pending';
  else if (code === 0x0001 || code === 0x0107 || code === 0x0116 || (code >= 0xb000 && code <= 0xbfff)) cls = 'Warning';
  else if ((code >= 0xa000 && code <= 0xafff) || (code >= 0xc000 && code <= 0xcfff) || (code >= 0x0100 && code <= 0x02ff)) cls = 'Failure';
  return `${hex4(code)} ${cls}`;
}
