/**
 * The content comparison of a local Part 10 file with the archive's copy (issue 11 §3).
 * Values are shortened for display; the comparison itself is on the full values.
 */
export interface AttributeDifference {
  /** "(0010,0010)" */
  tag: string;
  /** "PatientName", null for private and unknown tags. */
  keyword: string | null;
  /** Where it is: "" at the top level, else e.g. "ReferencedImageSequence (0008,1140) item 2". */
  path: string;
  /** Shortened values; "(absent)" when the attribute is missing on that side. */
  local: string;
  retrieved: string;
}

export interface Transcoding {
  from: string;
  to: string;
  /** Native (uncompressed) on both sides: pixel values still compared; else not compared byte for byte. */
  pixelData: 'compared' | 'not-compared';
  /** "transcoded from … to …: pixel data not compared byte for byte" */
  message: string;
}

export type ContentComparison =
  | { outcome: 'same'; transcoded: Transcoding | null; message: string }
  | { outcome: 'differs'; difference: AttributeDifference; transcoded: Transcoding | null; message: string }
  /** One side cannot be compared at all (not DICOM, cut short before the data set). */
  | { outcome: 'unreadable'; side: 'local' | 'retrieved'; message: string };
