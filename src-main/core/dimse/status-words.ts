/**
 * C-STORE, C-FIND and C-GET statuses in words (PS3.4 B.2.3, C.4.1.1.4, C.4.3.1.4; general
 * statuses PS3.7 Annex C), and their class: success, warning, failure, cancel or pending.
 */
import { hex4 } from '../../../src-shared/dicom/failure-reasons';

export type StatusClass = 'success' | 'warning' | 'failure' | 'cancel' | 'pending';

export interface StatusWords {
  code: number;
  class: StatusClass;
  /** "A700H Refused: Out of Resources" */
  text: string;
}

export type DimseService = 'C-STORE' | 'C-FIND' | 'C-GET';

/** PS3.7 C: statuses every DIMSE service may answer. */
const GENERAL: Record<number, string> = {
  0x0110: 'Failure: Processing failure',
  0x0111: 'Failure: Duplicate SOP Instance',
  0x0117: 'Failure: Invalid SOP Instance',
  0x0119: 'Failure: Class-Instance conflict',
  0x0122: 'Refused: SOP Class not supported',
  0x0124: 'Refused: Not authorized',
  0x0210: 'Failure: Duplicate invocation',
  0x0211: 'Failure: Unrecognized operation',
  0x0212: 'Failure: Mistyped argument',
  0x0213: 'Failure: Resource limitation',
};

const STORE_WARNINGS: Record<number, string> = {
  0xb000: 'Warning: Coercion of Data Elements',
  0xb006: 'Warning: Elements Discarded',
  0xb007: 'Warning: Data Set does not match SOP Class',
};

function byRange(service: DimseService, code: number): { class: StatusClass; words: string } | undefined {
  const high = code & 0xff00;
  const top = code & 0xf000;
  if (service === 'C-STORE') {
    if (high === 0xa700) return { class: 'failure', words: 'Refused: Out of Resources' };
    if (high === 0xa900) return { class: 'failure', words: 'Error: Data Set does not match SOP Class' };
    if (top === 0xc000) return { class: 'failure', words: 'Error: Cannot understand' };
    if (STORE_WARNINGS[code]) return { class: 'warning', words: STORE_WARNINGS[code] };
  } else if (service === 'C-FIND') {
    if (code === 0xa700) return { class: 'failure', words: 'Refused: Out of Resources' };
    if (code === 0xa900) return { class: 'failure', words: 'Error: Identifier does not match SOP Class' };
    if (top === 0xc000) return { class: 'failure', words: 'Error: Unable to process' };
    if (code === 0xfe00) return { class: 'cancel', words: 'Cancel: Matching terminated due to Cancel request' };
    if (code === 0xff01) return { class: 'pending', words: 'Pending: Matches are continuing (optional keys not supported)' };
  } else {
    if (code === 0xa701) return { class: 'failure', words: 'Refused: Out of Resources - Unable to calculate number of matches' };
    if (code === 0xa702) return { class: 'failure', words: 'Refused: Out of Resources - Unable to perform sub-operations' };
    if (code === 0xa900) return { class: 'failure', words: 'Error: Identifier does not match SOP Class' };
    if (top === 0xc000) return { class: 'failure', words: 'Error: Unable to process' };
    if (code === 0xfe00) return { class: 'cancel', words: 'Cancel: Sub-operations terminated due to Cancel indication' };
    if (code === 0xb000) return { class: 'warning', words: 'Warning: Sub-operations complete - one or more failures or warnings' };
  }
  return undefined;
}

/** The status of a response of `service` in words, e.g. "A900H Error: Data Set does not match SOP Class". */
export function describeServiceStatus(service: DimseService, code: number): StatusWords {
  const make = (cls: StatusClass, words: string): StatusWords => ({ code, class: cls, text: `${hex4(code)} ${words}` });
  if (code === 0x0000) return make('success', 'Success');
  if (code === 0xff00) return make('pending', 'Pending');
  const specific = byRange(service, code);
  if (specific) return make(specific.class, specific.words);
  if (GENERAL[code]) return make('failure', GENERAL[code]);
  if (code === 0xfe00) return make('cancel', 'Cancel');
  // PS3.7 C.1: Bxxx and 0001H are warnings; anything else unknown counts as a failure.
  if ((code & 0xf000) === 0xb000 || code === 0x0001 || code === 0x0107 || code === 0x0116) return make('warning', 'Warning');
  return make('failure', 'Failure');
}
