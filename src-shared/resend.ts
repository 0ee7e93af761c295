/**
 * "Send missing, then commit again" (issue 11 §1): the instances an archive lacks are stored on it
 * (C-STORE or STOW-RS), then commitment is requested again for exactly those, round after round.
 */
import { FailureReason } from './dicom/failure-reasons';

/** Failure Reasons that storing the instance again can fix; 0119H (a different object under that UID) is not one. */
export const RESENDABLE_REASONS: readonly number[] = [FailureReason.NoSuchObjectInstance, FailureReason.ProcessingFailure];

/** What the verdict (and so every report) says of an instance committed in a round of "send missing". */
export const COMMITTED_AFTER_RESEND = 'Committed after re-send';

/** What "file changed since the scan" outcomes start with. */
export const FILE_CHANGED = 'file changed since the scan';

/** What became of one attempt to store one instance, as kept per instance. */
export type StoreStatus =
  | 'stored' // the archive took it (maybe with a warning, in `text`)
  | 'failed' // the archive answered with a failure status or reason
  | 'refused' // no presentation context for its SOP class and transfer syntax: nothing sent
  | 'unconfirmed' // a success answer that does not name the instance (STOW-RS)
  | 'not-sent' // never reached the archive, or not confirmed (connection lost, cancelled)
  | 'file-changed'; // the file no longer holds the indexed instance (or is incomplete): not sent

/** A store outcome as kept and shown. */
export interface StoreOutcomeRecord {
  sopInstanceUid: string;
  studyUid: string;
  filePath: string;
  round: number;
  protocol: 'dimse' | 'dicomweb';
  status: StoreStatus;
  /** C-STORE status, or STOW-RS Failure/Warning Reason; null when there was none. */
  code: number | null;
  /** In words: "A700H Refused: Out of Resources", "the archive does not accept SOP class X in transfer syntax Y", … */
  text: string;
  /** Sending the same file again may succeed (the next round tries it again). */
  retry: boolean;
  bytes: number;
  at: number;
}

/** Why selected instances are not sent at all. */
export interface NotResendable {
  code: number | null;
  /** e.g. "0119H: the archive holds a different object under that UID: not re-sent". */
  why: string;
  count: number;
}

export type ResendPhase = 'sending' | 'committing' | 'done';

/** Progress of a run: per round, sending then committing. */
export interface ResendProgress {
  runId: number;
  round: number;
  rounds: number;
  phase: ResendPhase;
  /** Instances with a store outcome so far in this round, of `total`. */
  done: number;
  total: number;
  stored: number;
  bytes: number;
  instancesPerSecond: number;
  megabytesPerSecond: number;
  /** null until it can be estimated. */
  secondsLeft: number | null;
}

export interface ResendRound {
  round: number;
  /** Instances this round tried to store. */
  selected: number;
  stored: number;
  /** Store outcomes other than stored, by status. */
  notStored: Partial<Record<StoreStatus, number>>;
  /** Commitment asked again for the stored ones: the job and what it answered. */
  jobId: number | null;
  committed: number;
  failed: number;
  pending: number;
}

export type ResendEnd =
  | 'all-committed' // every selected instance is committed now
  | 'rounds-spent' // some are still not committed after the last round
  | 'nothing-to-send' // no verdict failed with a reason re-sending fixes
  | 'unfinished' // a commitment answer did not come in time (resume later)
  | 'cancelled';

export interface ResendSummary {
  runId: number;
  remoteId: number;
  end: ResendEnd;
  /** Instances whose verdict was failed with 0112H or 0110H when the run began. */
  selected: number;
  notResendable: NotResendable[];
  rounds: ResendRound[];
  /** Committed in one of the rounds. */
  committedAfterResend: number;
  /** Selected instances still not committed, with their last store outcome (at most 1000). */
  left: { sopInstanceUid: string; filePath: string; why: string }[];
  leftCount: number;
}
