/** What the library index knows of one DICOM instance, read from the file's header only. */
export interface InstanceHeader {
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string;
  seriesUid: string;
  transferSyntaxUid: string | null;
  patientName: string | null;
  patientId: string | null;
  studyDate: string | null;
  studyDescription: string | null;
  accessionNumber: string | null;
  modality: string | null;
  seriesNumber: number | null;
  seriesDescription: string | null;
  instanceNumber: number | null;
}

/** Why a file is not in the index as an instance. */
export type SkipReason =
  | 'not-dicom' // no Part 10 signature and not a recognisable data set
  | 'truncated' // the header runs past the end of the file (truncated Pixel Data is a flag, not a skip)
  | 'missing-uid' // one of SOP Class, SOP Instance, Study or Series Instance UID is absent
  | 'invalid-uid' // a UID breaks the UI rules (so it cannot be named in a commitment request)
  | 'unreadable' // the file system refused (permissions, vanished, I/O error)
  | 'unsupported' // e.g. a transfer syntax the header reader cannot decode
  | CopyReason;

/**
 * A second file holding an instance that another file already holds in the index (the first file found wins;
 * the second waits and takes over if the first goes).
 */
export type CopyReason =
  | 'uid-conflict' // a different file under the same SOP Instance UID
  | 'duplicate-copy' // a byte-identical copy of the indexed file
  | 'compare'; // same UID and same size: contents not compared yet (resolved at the end of the scan)

/** A warning on a file that is indexed all the same. */
export type FileFlag = 'pixel-data-truncated';

export const SKIP_REASON_TEXT: Record<SkipReason, string> = {
  'not-dicom': 'Not a DICOM file',
  truncated: 'Truncated file',
  'missing-uid': 'A required UID is missing',
  'invalid-uid': 'A UID is not valid',
  unreadable: 'File could not be read',
  unsupported: 'Unsupported encoding',
  'uid-conflict': 'Conflict: a different file with the same SOP Instance UID',
  'duplicate-copy': 'Duplicate copy of an indexed file',
  compare: 'Same SOP Instance UID, contents not compared yet',
};

export const FILE_FLAG_TEXT: Record<FileFlag, string> = {
  'pixel-data-truncated': 'Pixel data truncated',
};

/** The words for a problem file's reason (a SkipReason or a FileFlag); unknown values are shown as they are. */
export function problemReasonText(reason: string): string {
  return (SKIP_REASON_TEXT as Record<string, string>)[reason] ?? (FILE_FLAG_TEXT as Record<string, string>)[reason] ?? reason;
}

export interface ScanProgress {
  scanId: string;
  roots: string[];
  /** Files found by the walk so far. */
  filesSeen: number;
  /** Files whose header was read and indexed in this scan. */
  indexed: number;
  /** Files skipped because size and mtime are unchanged since the last scan. */
  unchanged: number;
  /** Files recorded with a SkipReason (not DICOM, truncated, ...), second copies excluded. */
  skipped: number;
  /** Different files whose SOP Instance UID is already indexed from another file. */
  conflicts: number;
  /** Byte-identical copies of a file already indexed. */
  duplicates: number;
  /** Files indexed with a warning (e.g. truncated Pixel Data). */
  flagged: number;
  /** Index entries removed because their file is gone. */
  removed: number;
  /** Bytes read from disk by the header reader. */
  bytesRead: number;
  /** Sum of the sizes of the files whose header was read. */
  bytesOfFiles: number;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  error?: string;
  startedAt: string;
  finishedAt?: string;
}
