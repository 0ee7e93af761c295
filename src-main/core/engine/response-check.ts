import type { CommitmentResult } from '../../../src-shared/commitment/model';
import { PayloadError } from '../codec/payload-error';
import { parseCommitmentResponse } from '../codec/response-json';
import type { OutgoingInstance } from '../../../src-shared/outgoing';
import { parseNativeXml } from '../codec/native-xml';
import type { InstanceResult } from './model/outgoing';

export interface Interpretation {
  results: InstanceResult[];
  /** Why the answer cannot be trusted as a whole or in part; null when it matches the request exactly. */
  problem: string | null;
}

const INVALID = 'Invalid response';

/** Most of an answer kept with a request whose answer is in question (malformed, or contradicting the request). */
export const RAW_ANSWER_CAP = 5_000_000;

/** Parses a 200 answer body (JSON or XML) into a result, or throws PayloadError. */
export function parseAnswer(body: string, contentType: string | undefined): CommitmentResult {
  if (/xml/i.test(contentType ?? '')) return parseCommitmentResponse(parseNativeXml(body));
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw new PayloadError('', `the body is not valid JSON (${(e as Error).message})`);
  }
  return parseCommitmentResponse(json);
}

/**
 * Matches an archive's result against what was asked. An instance is committed or
 * failed only when the answer says so unambiguously; an answer that names an
 * instance that was not asked for, misses one, lists one twice or with another
 * SOP Class is never silently accepted: those instances are failed as "invalid response".
 */
export function interpretResult(requested: readonly OutgoingInstance[], parse: () => CommitmentResult): Interpretation {
  let result: CommitmentResult;
  try {
    result = parse();
  } catch (e) {
    const why = e instanceof PayloadError ? e.message : String(e);
    const detail = `${INVALID}: the archive's answer is malformed (${why})`;
    return {
      results: requested.map((i) => ({ seq: i.seq, outcome: 'failed', failureReason: null, detail })),
      problem: detail,
    };
  }
  const bySop = new Map(requested.map((i) => [i.sopInstanceUid, i]));
  const answers = new Map<string, { committed: boolean; reason: number | null; sopClassUid: string; count: number }>();
  let unexpected = 0;
  for (const [list, committed] of [
    [result.committed, true],
    [result.failed, false],
  ] as const) {
    for (const i of list) {
      if (!bySop.has(i.sopInstanceUid)) {
        unexpected++;
        continue;
      }
      const prev = answers.get(i.sopInstanceUid);
      const reason = 'failureReason' in i ? (i.failureReason as number) : null;
      answers.set(i.sopInstanceUid, { committed, reason, sopClassUid: i.sopClassUid, count: (prev?.count ?? 0) + 1 });
    }
  }
  let missing = 0;
  let twice = 0;
  let otherClass = 0;
  const results: InstanceResult[] = requested.map((i) => {
    const a = answers.get(i.sopInstanceUid);
    if (!a) {
      missing++;
      return { seq: i.seq, outcome: 'failed', failureReason: null, detail: `${INVALID}: the archive's answer does not mention this instance` };
    }
    if (a.count > 1) {
      twice++;
      return { seq: i.seq, outcome: 'failed', failureReason: null, detail: `${INVALID}: the archive lists this instance more than once` };
    }
    if (a.sopClassUid !== i.sopClassUid) {
      otherClass++;
      return {
        seq: i.seq,
        outcome: 'failed',
        failureReason: null,
        detail: `${INVALID}: the archive answers for SOP Class ${a.sopClassUid}, not ${i.sopClassUid}`,
      };
    }
    return a.committed
      ? { seq: i.seq, outcome: 'committed', failureReason: null, detail: null }
      : // The Failure Reason is the archive's whole explanation; no detail is made up beside it.
        { seq: i.seq, outcome: 'failed', failureReason: a.reason, detail: null };
  });
  const parts = [
    missing && `${missing} requested instance(s) missing from the answer`,
    twice && `${twice} listed more than once`,
    otherClass && `${otherClass} with another SOP Class`,
    unexpected && `${unexpected} instance(s) that were not requested`,
  ].filter(Boolean);
  return { results, problem: parts.length ? `The archive's answer contradicts the request: ${parts.join(', ')}` : null };
}
