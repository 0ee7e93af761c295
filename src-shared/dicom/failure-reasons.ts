/** Failure Reason (0008,1197) values, PS3.3 §C.14.1.1. */
export const FailureReason = {
  ProcessingFailure: 0x0110,
  NoSuchObjectInstance: 0x0112,
  ClassInstanceConflict: 0x0119,
  ReferencedSOPClassNotSupported: 0x0122,
  DuplicateTransactionUID: 0x0131,
  ResourceLimitation: 0x0213,
} as const;

export type FailureReasonCode = (typeof FailureReason)[keyof typeof FailureReason];

const MEANING: Record<number, string> = {
  0x0110: 'Processing failure',
  0x0112: 'No such object instance',
  0x0119: 'Class/Instance conflict',
  0x0122: 'Referenced SOP Class not supported',
  0x0131: 'Duplicate Transaction UID',
  0x0213: 'Resource limitation',
};

/** "0112H" */
export function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0') + 'H';
}

/** "0112H No such object instance" (or "…H Unknown failure reason" for codes outside the table). */
export function describeFailureReason(code: number): string {
  return `${hex4(code)} ${MEANING[code] ?? 'Unknown failure reason'}`;
}

export function failureReasonMeaning(code: number): string {
  return MEANING[code] ?? 'Unknown failure reason';
}
