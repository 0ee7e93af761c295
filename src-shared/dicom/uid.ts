/**
 * DICOM UID rules (PS3.5 §9.1): at most 64 characters, components of digits
 * separated by single dots, no empty component, no leading zero unless the
 * component is exactly "0".
 */
export const UID_MAX_LENGTH = 64;

export type UidProblem = 'empty' | 'too-long' | 'bad-character' | 'empty-component' | 'leading-zero';

const UID_PROBLEM_TEXT: Record<UidProblem, string> = {
  empty: 'is empty',
  'too-long': `is longer than ${UID_MAX_LENGTH} characters`,
  'bad-character': 'contains a character other than digits and dots',
  'empty-component': 'has an empty component (leading, trailing or double dot)',
  'leading-zero': 'has a component with a leading zero',
};

const VALID_UID = /^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*$/;

/** Returns why `uid` is not a valid DICOM UID, or null when it is valid. */
export function uidProblem(uid: string): UidProblem | null {
  // Fast path: request payloads carry hundreds of thousands of UIDs.
  if (uid.length <= UID_MAX_LENGTH && VALID_UID.test(uid)) return null;
  if (uid.length === 0) return 'empty';
  if (uid.length > UID_MAX_LENGTH) return 'too-long';
  if (!/^[0-9.]+$/.test(uid)) return 'bad-character';
  for (const part of uid.split('.')) {
    if (part.length === 0) return 'empty-component';
    if (part.length > 1 && part.startsWith('0')) return 'leading-zero';
  }
  return null;
}

export function isValidUid(uid: string): boolean {
  return uidProblem(uid) === null;
}

export function describeUidProblem(problem: UidProblem): string {
  return UID_PROBLEM_TEXT[problem];
}
