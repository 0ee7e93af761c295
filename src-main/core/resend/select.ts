/**
 * Which instances "send missing" stores again: those whose verdict for the archive is failed with a
 * reason that storing can fix (0112H no such object, 0110H processing failure). 0119H means the
 * archive holds a different object under that UID: sending ours again would not change that.
 */
import { describeFailureReason, FailureReason } from '../../../src-shared/dicom/failure-reasons';
import { RESENDABLE_REASONS, type NotResendable } from '../../../src-shared/resend';
import type { VerdictBrief } from '../store/ports';
import type { IndexedFile } from '../library/model/files';

export interface Selected {
  candidates: IndexedFile[];
  notResendable: NotResendable[];
}

export const isResendable = (v: VerdictBrief | undefined): boolean =>
  v !== undefined && v.outcome === 'failed' && v.failureReason !== null && RESENDABLE_REASONS.includes(v.failureReason);

function whyNot(code: number | null): string {
  if (code === FailureReason.ClassInstanceConflict) {
    return `${describeFailureReason(code)}: the archive holds a different object under that UID; not re-sent`;
  }
  if (code === null) return 'failed without a Failure Reason (not answered, cancelled or refused): ask for commitment again instead; not re-sent';
  return `${describeFailureReason(code)}: storing again does not fix it; not re-sent`;
}

/** The failed instances of `files`, split into those to send and the rest, counted by reason. */
export function selectResendable(files: readonly IndexedFile[], verdicts: ReadonlyMap<string, VerdictBrief>): Selected {
  const candidates: IndexedFile[] = [];
  const others = new Map<number | null, number>();
  for (const f of files) {
    const v = verdicts.get(f.sopInstanceUid);
    if (!v || v.outcome !== 'failed') continue;
    if (isResendable(v)) candidates.push(f);
    else others.set(v.failureReason, (others.get(v.failureReason) ?? 0) + 1);
  }
  const notResendable = [...others].map(([code, count]) => ({ code, why: whyNot(code), count })).sort((a, b) => b.count - a.count);
  return { candidates, notResendable };
}
