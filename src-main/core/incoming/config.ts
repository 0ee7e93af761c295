export interface OriginConfig {
  /** Answer 200 when the decision is made within this window, else 202 (spec §11: 2 s). */
  syncWindowMs: number;
  /** Largest accepted request body (spec §11: 64 MiB). */
  maxBodyBytes: number;
  /** Finished results are kept this long, then the UID is a tombstone (410). */
  resultRetentionMs: number;
  /** Tombstones are kept this long, then forgotten (404). */
  tombstoneMs: number;
  /** Back-pressure: 503 past this many Working transactions ... */
  maxWorkingTransactions: number;
  /** ... or past this many undecided instances in all. */
  maxPendingInstances: number;
  /** Retry-After sent with a back-pressure 503. */
  busyRetryAfterSeconds: number;
}

const DAY = 24 * 3600 * 1000;

export const DEFAULT_ORIGIN_CONFIG: OriginConfig = {
  syncWindowMs: 2000,
  maxBodyBytes: 64 * 1024 * 1024,
  resultRetentionMs: 30 * DAY,
  tombstoneMs: 365 * DAY,
  maxWorkingTransactions: 100,
  maxPendingInstances: 2_000_000,
  busyRetryAfterSeconds: 10,
};
