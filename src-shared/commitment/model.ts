/**
 * The Storage Commitment payloads as typed data (PS3.18 Annex J.1/J.2, PS3.4 Annex J).
 * Both request forms are one flat list of instances; each instance remembers the
 * form it came in so that the response can mirror it.
 */
export type RequestForm = 'flat' | 'study';

export interface InstanceRef {
  sopClassUid: string;
  sopInstanceUid: string;
}

export interface RequestedInstance extends InstanceRef {
  form: RequestForm;
  /** Set for the study (hierarchical) form. */
  studyUid?: string;
  seriesUid?: string;
}

export interface CommitmentRequest {
  instances: RequestedInstance[];
}

export interface FailedInstance extends RequestedInstance {
  failureReason: number;
}

/** Every requested instance appears in exactly one of the two lists (PS3.4 §J.3.3.1.2). */
export interface CommitmentResult {
  committed: RequestedInstance[];
  failed: FailedInstance[];
}
