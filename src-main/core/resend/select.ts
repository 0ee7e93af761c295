/**
 * Which instances "send missing" stores again: those whose verdict for the archive is failed with a
 * reason that storing can fix (0112H no such object, 0110H processing failure). 0119H means the
 * archive holds a different object under that UID: sending ours again would not change that.
 */
import { describeFailureReason, FailureReason } from '../../../src-shared/dicom/failure-reasons';
import { CONTENT_DIFFERS, failedForContent } from '../../../src-shared/content';
import { RESENDABLE_REASONS, type NotResendable } from '../../../src-shared/resend';
import type { VerdictBrief } from '../store/ports';
import type { IndexedFile } from '../library/model/files';

export interface Selected {
  candidates: IndexedFile[];
  notResendable: NotResendable[];
}

export const isResendable = (v: VerdictBrief | undefined): boolean =>
  v !== undefined && v.outcome === 'failed' && v.failureReason !== null && RESENDABLE_REASONS.includes(v.failureReason);

function whyNot(code: number | null, contentDiffers = false): string {
  if (contentDiffers) return `${CONTENT_DIFFERS}: the archive holds a different object under that UID (compare content); not re-sent`;
  if (code === FailureReason.ClassInstanceConflict) {
    return `${describeFailureReason(code)}: the archive holds a different object under that UID; not re-sent`;
  }
  if (code === null) return 'failed without a Failure Reason (not answered, cancelled or refused): ask for commitment again instead; not re-sent';
  return `${describeFailureReason(code)}: storing again does not fix it; not re-sent`;
}

/** The failed instances of `files`, split into those to send and the rest, counted by reason. */
export function selectResendable(files: readonly IndexedFile[], verdicts: ReadonlyMap<string, VerdictBrief>): Selected {
  const candidates: IndexedFile[] = [];
  // By Failure Reason; a content difference (no reason) apart from the other failures without one.
  const others = new Map<string, { code: number | null; content: boolean; count: number }>();
  for (const f of files) {
    const v = verdicts.get(f.sopInstanceUid);
    if (!v || v.outcome !== 'failed') continue;
    if (isResendable(v)) {
      candidates.push(f);
      continue;
    }
    const content = failedForContent(v);
    const key = content ? 'content' : String(v.failureReason);
    const g = others.get(key) ?? { code: v.failureReason, content, count: 0 };
    g.count++;
    others.set(key, g);
  }
  const notResendable = [...others.values()].map((g) => ({ code: g.code, why: whyNot(g.code, g.content), count: g.count })).sort((a, b) => b.count - a.count);
  return { candidates, notResendable };
}
