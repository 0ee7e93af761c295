/**
 * "Compare content" (issue 11 §3): the archive's copy of committed instances (all, or a random share
 * with at least one per series) is retrieved (C-GET or WADO-RS) and compared with the local file.
 */

/** What the verdict says (and every report shows) of an instance whose archive copy differs. */
export const CONTENT_DIFFERS = 'content differs';

/**
 * A verdict failed by a content check, not by the archive: no Failure Reason, its detail "content differs: …"
 * (the TypeScript twin of CONTENT_FAILED in store/verdict-writer.ts).
 */
export const failedForContent = (v: { outcome: string; failureReason: number | null; detail: string | null }): boolean =>
  v.outcome === 'failed' && v.failureReason === null && (v.detail ?? '').startsWith(CONTENT_DIFFERS);

/** All committed instances, or this share of them in percent (0 < p ≤ 100). */
export type ContentSample = 'all' | number;

export type ContentOutcome =
  | 'same' // same attributes, same pixel data bytes
  | 'transcoded' // same attributes; the archive holds another transfer syntax: pixel data said so, not failed
  | 'differs' // an attribute (or the pixel data) differs, or the archive's copy is broken: the verdict fails
  | 'not-retrievable' // the archive did not give it back: not a difference, the verdict stays
  | 'local-changed'; // the local file changed since the scan (or cannot be read): nothing to compare with

/** One instance's content check, as kept and shown. */
export interface ContentCheckRecord {
  sopInstanceUid: string;
  studyUid: string;
  seriesUid: string;
  filePath: string;
  outcome: ContentOutcome;
  /** "(0010,0010) PatientName" for a difference; null otherwise. */
  attribute: string | null;
  /** In words: "content differs: (0010,0010) PatientName: local …, archive …", "archive holds a transcoded copy: …". */
  text: string;
  /** Bytes retrieved (0 when nothing came). */
  bytes: number;
  at: number;
}

export type ContentCounts = Record<ContentOutcome, number>;

export const NO_CONTENT_COUNTS: ContentCounts = { same: 0, transcoded: 0, differs: 0, 'not-retrievable': 0, 'local-changed': 0 };

export interface ContentProgress {
  runId: number;
  done: number;
  total: number;
  counts: ContentCounts;
  bytes: number;
  instancesPerSecond: number;
  megabytesPerSecond: number;
  secondsLeft: number | null;
}

/** A content check run as the CLI and the Report screen show it. */
export interface ContentSummary {
  runId: number;
  remoteId: number;
  via: 'C-GET' | 'WADO-RS';
  /** Where the copies came from: "AET@host:port" or the WADO-RS base URL. */
  source: string;
  sample: ContentSample;
  /** Committed instances of the selection (the population sampled). */
  committed: number;
  /** Instances chosen and checked. */
  checked: number;
  counts: ContentCounts;
  end: 'done' | 'cancelled' | 'unfinished';
  startedAt: number;
  finishedAt: number | null;
  /** Every instance not plainly the same (at most 1000), differences first. */
  notSame: ContentCheckRecord[];
  notSameCount: number;
}

/** "all" or a number 0 < p ≤ 100 ("10", "12.5", "10%"); null when it is neither. */
export function parseContentSample(text: string): ContentSample | null {
  const t = text.trim();
  if (t.toLowerCase() === 'all') return 'all';
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(t);
  if (!m) return null;
  const p = Number(m[1]);
  if (!(p > 0 && p <= 100)) return null;
  return p === 100 ? 'all' : p;
}

/** Content checks that leave the verification incomplete or failed (the CLI then exits 1). */
export const contentPassed = (c: ContentCounts): boolean => c.differs === 0 && c['not-retrievable'] === 0 && c['local-changed'] === 0;
