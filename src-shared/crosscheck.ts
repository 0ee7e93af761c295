/**
 * Cross-check (issue 11 §2): each local study beside the archive's own listing of it (C-FIND or
 * QIDO-RS) and beside the commitment verdicts.
 */

export type ListingVia = 'C-FIND' | 'QIDO-RS';

export interface CrossCheckInstance {
  sopInstanceUid: string;
  seriesUid: string;
  filePath: string;
  /** The verdict for this archive: committed, failed, pending, or null (never asked). */
  verdict: 'committed' | 'failed' | 'pending' | null;
}

export interface CrossCheckStudy {
  studyUid: string;
  patientId: string | null;
  accessionNumber: string | null;
  studyDate: string | null;
  local: number;
  /** Local instances the archive lists. */
  listed: number;
  /** Instances the archive lists that are not in the local selection (other copies, other sources). */
  archiveOnly: number;
  committed: number;
  /** Local instances the archive does not list. */
  notListed: CrossCheckInstance[];
  /** The archive said committed, yet its query does not list it. */
  committedNotListed: CrossCheckInstance[];
  /** The archive lists it, yet its verdict is not committed (failed, pending or never asked). */
  listedNotCommitted: CrossCheckInstance[];
  /** Why the archive could not be asked about this study (then nothing above is known). */
  error: string | null;
}

export interface CrossCheckTotals {
  studies: number;
  local: number;
  listed: number;
  notListed: number;
  committedNotListed: number;
  listedNotCommitted: number;
  /** Studies the archive could not be asked about. */
  errors: number;
}

export interface CrossCheckResult {
  remoteId: number;
  remoteName: string;
  via: ListingVia;
  /** Where the listing came from: the QIDO-RS base URL or AE@host:port. */
  source: string;
  checkedAt: number;
  studies: CrossCheckStudy[];
  totals: CrossCheckTotals;
  /** The archive lists every local instance (and was asked about every study). */
  allListed: boolean;
}

/** Progress of a cross-check: studies asked so far. */
export interface CrossCheckProgress {
  done: number;
  total: number;
  notListed: number;
}
