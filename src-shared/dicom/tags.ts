/** Tags of the Storage Commitment modules, as DICOM JSON keys (8 upper-case hex digits). */
export const Tag = {
  TransactionUID: '00081195',
  ReferencedSOPSequence: '00081199',
  FailedSOPSequence: '00081198',
  FailureReason: '00081197',
  ReferencedSOPClassUID: '00081150',
  ReferencedSOPInstanceUID: '00081155',
  ReferencedStudySequence: '00081110',
  FailedStudySequence: '0008119B',
  ReferencedSeriesSequence: '00081115',
  ReferencedInstancesBySOPClassSequence: '00081112',
  ReferencedInstanceSequence: '0008114A',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  RetrieveAETitle: '00080054',
} as const;

export type TagKeyword = keyof typeof Tag;

const KEYWORD_BY_TAG: Record<string, TagKeyword> = Object.fromEntries(
  Object.entries(Tag).map(([k, v]) => [v, k as TagKeyword]),
);

/** "ReferencedSOPInstanceUID (0008,1155)" — how an attribute is named in error messages. */
export function attributeName(tag: string): string {
  const t = tag.toUpperCase();
  const keyword = KEYWORD_BY_TAG[t] ?? 'Attribute';
  return `${keyword} (${t.slice(0, 4)},${t.slice(4)})`;
}

/** Value Representation of each tag used in the commitment payloads. */
export const VR_OF: Record<string, 'SQ' | 'UI' | 'US' | 'AE'> = {
  [Tag.TransactionUID]: 'UI',
  [Tag.ReferencedSOPSequence]: 'SQ',
  [Tag.FailedSOPSequence]: 'SQ',
  [Tag.FailureReason]: 'US',
  [Tag.ReferencedSOPClassUID]: 'UI',
  [Tag.ReferencedSOPInstanceUID]: 'UI',
  [Tag.ReferencedStudySequence]: 'SQ',
  [Tag.FailedStudySequence]: 'SQ',
  [Tag.ReferencedSeriesSequence]: 'SQ',
  [Tag.ReferencedInstancesBySOPClassSequence]: 'SQ',
  [Tag.ReferencedInstanceSequence]: 'SQ',
  [Tag.StudyInstanceUID]: 'UI',
  [Tag.SeriesInstanceUID]: 'UI',
  [Tag.RetrieveAETitle]: 'AE',
};

export const KEYWORD_OF = KEYWORD_BY_TAG;
