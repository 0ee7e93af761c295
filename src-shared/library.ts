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
  | 'truncated' // the header (or the declared Pixel Data) runs past the end of the file
  | 'missing-uid' // one of SOP Class, SOP Instance, Study or Series Instance UID is absent
  | 'invalid-uid' // a UID breaks the UI rules (so it cannot be named in a commitment request)
  | 'unreadable' // the file system refused (permissions, vanished, I/O error)
  | 'unsupported' // e.g. a transfer syntax the header reader cannot decode
  | 'duplicate'; // the same SOP Instance UID is already indexed from another file (a conflict)

export const SKIP_REASON_TEXT: Record<SkipReason, string> = {
  'not-dicom': 'Not a DICOM file',
  truncated: 'Truncated file',
  'missing-uid': 'A required UID is missing',
  'invalid-uid': 'A UID is not valid',
  unreadable: 'File could not be read',
  unsupported: 'Unsupported encoding',
  duplicate: 'Duplicate SOP Instance UID (conflict)',
};

export interface ScanProgress {
  scanId: string;
  roots: string[];
  /** Files found by the walk so far. */
  filesSeen: number;
  /** Files whose header was read and indexed in this scan. */
  indexed: number;
  /** Files skipped because size and mtime are unchanged since the last scan. */
  unchanged: number;
  /** Files recorded with a SkipReason (not DICOM, truncated, ...), conflicts excluded. */
  skipped: number;
  /** Files whose SOP Instance UID is already indexed from another file. */
  conflicts: number;
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
