/**
 * How "send missing" stores instances on an archive: one Sender per protocol (C-STORE, STOW-RS),
 * each turning its facade's outcomes into the words kept per instance.
 */
import type { StoreStatus } from '../../../src-shared/resend';
import type { IndexedFile } from '../library/model/files';

/** A file checked just before sending. */
export interface SendItem {
  file: IndexedFile;
  transferSyntaxUid: string | null;
  size: number;
}

export interface SentOutcome {
  sopInstanceUid: string;
  status: StoreStatus;
  code: number | null;
  text: string;
  /** Sending the same file again may succeed. */
  retry: boolean;
  /** Bytes of the file when it reached the archive (0 when it did not). */
  bytes: number;
}

export interface SendOptions {
  signal?: AbortSignal;
  /** Outcomes as they come (persist them here; awaited before more are counted). */
  onOutcomes: (batch: readonly SentOutcome[]) => Promise<void>;
}

export interface Sender {
  readonly protocol: 'dimse' | 'dicomweb';
  /** Where instances go, in words (for progress and logs). */
  readonly target: string;
  /** Every item ends with exactly one outcome, passed to onOutcomes. Never throws for the archive's faults. */
  send(items: readonly SendItem[], o: SendOptions): Promise<void>;
  close(): Promise<void>;
}
