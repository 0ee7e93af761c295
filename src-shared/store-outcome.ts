/**
 * What became of one instance that Safekeep tried to store on an archive (STOW-RS; C-STORE
 * uses the same shape). Nothing here says "committed": storage commitment decides that later.
 */
export type StoreOutcome =
  /** The archive says it stored the instance (listed in ReferencedSOPSequence), maybe with a warning. */
  | { kind: 'stored'; warning: string | null }
  /** The archive answered and did not store it: a per-instance reason or the request's HTTP error. */
  | {
      kind: 'failed';
      reason: string;
      /** Failure Reason (0008,1197) when the archive gave one. */
      code: number | null;
      /** HTTP status of the request that carried the instance. */
      httpStatus: number | null;
      /** Sending the same file again may succeed (busy, out of resources, processing failure, 5xx). */
      transient: boolean;
    }
  /** The archive answered success (200, 202) but its answer does not say this instance was stored. */
  | { kind: 'unconfirmed'; reason: string; httpStatus: number }
  /** The instance did not reach the archive, or may not have: never assumed stored. */
  | { kind: 'not-sent'; reason: string };

export type StoreOutcomeKind = StoreOutcome['kind'];

/** One STOW-RS request, as the progress and the request log show it. */
export interface StowRequestSummary {
  /** 1-based, in sending order. */
  index: number;
  instances: number;
  bytes: number;
  /** null when no HTTP answer came back (connection error, timeout, cancelled). */
  httpStatus: number | null;
  /** The HTTP status in words and what PS3.18 §10.5.3 says it means, or the transport error. */
  summary: string;
  /** The archive's answer contradicts its status (e.g. HTTP 400 "nothing stored" listing stored instances). */
  note: string | null;
  ms: number;
}
