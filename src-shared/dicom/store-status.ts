/**
 * Store outcomes in words: STOW-RS Failure Reason (0008,1197) and Warning Reason (0008,1196)
 * (PS3.18 Table I.2-1 and I.2-2), which use the same codes as C-STORE statuses (PS3.4 Table B.2-1)
 * and the general statuses of PS3.7 Annex C.
 */
import { hex4 } from './failure-reasons';

const EXACT: Record<number, string> = {
  0x0110: 'Processing failure',
  0x0111: 'Duplicate SOP Instance',
  0x0112: 'No such object instance',
  0x0117: 'Invalid SOP Instance',
  0x0122: 'SOP Class not supported',
  0x0124: 'Refused: not authorized',
  0x0210: 'Duplicate invocation',
  0x0211: 'Unrecognized operation',
  0x0212: 'Mistyped argument',
  0x0213: 'Resource limitation',
  0xc122: 'Transfer Syntax not supported',
  0xb000: 'Coercion of data elements',
  0xb006: 'Elements discarded',
  0xb007: 'Data set does not match SOP Class',
};

/** The meaning of a store failure or warning code, without the code. */
export function storeStatusMeaning(code: number): string {
  const exact = EXACT[code];
  if (exact) return exact;
  const high = code >> 8;
  if (high === 0xa7) return 'Refused: out of resources';
  if (high === 0xa9) return 'Data set does not match SOP Class';
  if (code >= 0xc000 && code <= 0xcfff) return 'Cannot understand';
  if (code >= 0xb000 && code <= 0xbfff) return 'Warning';
  return 'Unknown status';
}

/** "A700H Refused: out of resources". */
export function describeStoreStatus(code: number): string {
  return `${hex4(code)} ${storeStatusMeaning(code)}`;
}

/**
 * Whether sending the same file again may succeed: out of resources, processing failures and
 * resource limits are transient; a data set the archive cannot understand, a SOP Class or
 * Transfer Syntax it does not support, or a refusal for authorisation are not.
 */
export function storeFailureIsTransient(code: number): boolean {
  if (code >> 8 === 0xa7) return true;
  return code === 0x0110 || code === 0x0213 || code === 0x0210;
}
