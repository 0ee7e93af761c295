import { describe, expect, it } from 'vitest';
import { isValidUid, uidProblem } from '../../src-shared/dicom/uid';

describe('UID rules', () => {
  it.each([
    ['1.2.840.10008.1.20.1', null],
    ['0', null],
    ['1.0.2', null],
    ['2.25.' + '9'.repeat(39), null],
    ['', 'empty'],
    ['1.2.' + '3'.repeat(61), 'too-long'],
    ['1.2.3a', 'bad-character'],
    ['1.2.3 ', 'bad-character'],
    ['1.2.-3', 'bad-character'],
    ['.1.2', 'empty-component'],
    ['1.2.', 'empty-component'],
    ['1..2', 'empty-component'],
    ['1.02', 'leading-zero'],
    ['00.1', 'leading-zero'],
  ])('%s -> %s', (uid, problem) => {
    expect(uidProblem(uid)).toBe(problem);
    expect(isValidUid(uid)).toBe(problem === null);
  });

  it('accepts exactly 64 characters', () => {
    const uid = '1.' + '2'.repeat(62);
    expect(uid).toHaveLength(64);
    expect(isValidUid(uid)).toBe(true);
    expect(isValidUid(uid + '3')).toBe(false);
  });
});
