/**
 * The library's data as its services and the store ports use it (a folder of its own so that the store can
 * import it without a cycle: the library's services import the store's ports).
 */
import type { LibrarySummary } from '../../../../src-shared/contract/handlers';
import type { FileFlag, InstanceHeader, SkipReason } from '../../../../src-shared/library';

export interface FileState {
  size: number;
  mtimeMs: number;
}

/** One file as the scanner saw it. */
export type FileRecord =
  | { path: string; root: string; size: number; mtimeMs: number; status: 'indexed'; header: InstanceHeader; flag?: { code: FileFlag; message: string } }
  | { path: string; root: string; size: number; mtimeMs: number; status: 'skipped'; reason: SkipReason; message: string };

export interface IndexedFile {
  path: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string;
  seriesUid: string;
  size: number;
  mtimeMs: number;
  /** Kept with a verification request, for its reports. */
  patientId: string | null;
  accessionNumber: string | null;
  studyDate: string | null;
}

/** A library folder as the contract shows it. */
export type LibraryRoot = LibrarySummary['roots'][number];

/** What one batch of scanned files did to the index. */
export interface BatchCounts {
  indexed: number;
  skipped: number;
  conflicts: number;
  compare: number;
  flagged: number;
}

/** The counts of the library summary (the whole library, or below some folders). */
export type LibraryCounts = Omit<LibrarySummary, 'roots'>;

/** A waiting file whose bytes must be compared with the holder's (hashes when already known). */
export interface PendingComparison {
  path: string;
  sopInstanceUid: string;
  hash: string | null;
  holderPath: string;
  holderHash: string | null;
}
