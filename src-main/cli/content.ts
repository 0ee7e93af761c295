/**
 * "Compare content" from the command line (issue 11 §3): `commit --verify-content all|PERCENT` once
 * commitment is done, and `verify-content` on what an earlier commit verified.
 */
import path from 'node:path';
import { contentPassed, parseContentSample, type ContentProgress, type ContentSample, type ContentSummary } from '../../src-shared/content';
import type { Host } from '../core/host/host';
import { EXIT, usageError } from './errors';
import { withRunProgress } from './migration';
import { scanAndSummarise } from './scan';

const SHOWN = 20;

/** The --verify-content value: "all" or a share in percent, 0 < p ≤ 100 (exit 2 otherwise). */
export function parseVerifyContent(value: string): ContentSample {
  const s = parseContentSample(value);
  if (s === null) throw usageError(`Invalid --verify-content "${value}": use all, or a share in percent greater than 0 and at most 100 (e.g. 10)`);
  return s;
}

const shareText = (s: ContentSample) => (s === 'all' ? 'all' : `a ${s}% sample, at least one per series`);

function progressLine(p: ContentProgress): string[] {
  const left = p.secondsLeft === null ? '' : `, ${p.secondsLeft} s left`;
  const bad = p.counts.differs ? `; ${p.counts.differs} differ` : '';
  return [
    `Verify content: ${p.done} of ${p.total} compared; ${p.instancesPerSecond} instances/s, ${p.megabytesPerSecond} MB/s${left}${bad}`,
    `Verify content: ${p.done}/${p.total}, ${p.instancesPerSecond}/s${left}`,
  ];
}

/** Retrieves and compares, with a progress line on a terminal; Ctrl-C stops it (what is compared stays). */
export async function runVerifyContent(
  host: Host,
  o: { remoteId: number; roots: string[]; sample: ContentSample; quiet: boolean },
  signal?: AbortSignal,
): Promise<{ summary: ContentSummary; last: ContentProgress | null }> {
  let last: ContentProgress | null = null;
  const line = (p: ContentProgress) => progressLine((last = p));
  const summary = await withRunProgress(host, { event: 'content-progress', remoteId: o.remoteId, quiet: o.quiet, ...(signal ? { signal } : {}), line }, () =>
    host.call('migration-verify-content', { remoteId: o.remoteId, selection: { paths: o.roots }, sample: o.sample }),
  );
  return { summary, last };
}

export function printContent(s: ContentSummary, last: ContentProgress | null, out: (s: string) => void): void {
  const c = s.counts;
  const speed = last ? `; ${last.instancesPerSecond} instances/s, ${last.megabytesPerSecond} MB/s` : '';
  out(`Verify content (${shareText(s.sample)}): compared ${s.checked} of ${s.committed} committed instance(s) with ${s.via} at ${s.source}${speed}`);
  out(`  ${c.same} same, ${c.transcoded} transcoded, ${c.differs} differ, ${c['not-retrievable']} not retrievable, ${c['local-changed']} changed locally`);
  for (const r of s.notSame.slice(0, SHOWN)) out(`  ${r.outcome}: ${r.filePath} (${r.sopInstanceUid}): ${r.text}`);
  if (s.notSameCount > SHOWN) out(`  … and ${s.notSameCount - SHOWN} more (--json lists up to 1000)`);
  if (s.end === 'cancelled') out('Verify content stopped (Ctrl-C): what was compared is kept');
}

/** 0 when every instance compared is the same (or a transcoded copy), 3 when stopped, else 1. */
export function contentExit(s: ContentSummary): number {
  if (s.end !== 'done') return EXIT.unfinished;
  return contentPassed(s.counts) ? EXIT.ok : EXIT.failures;
}

/** `safekeep verify-content`: scan, retrieve and compare what an earlier commit verified, print. */
export async function verifyContentCommand(
  host: Host,
  remoteId: number,
  paths: string[],
  o: { sample: ContentSample; json?: boolean; quiet?: boolean },
  out: (s: string) => void,
  signal?: AbortSignal,
): Promise<number> {
  const roots = paths.map((p) => path.resolve(p));
  const scan = await scanAndSummarise(host, roots, o.quiet || o.json || false);
  if (scan.instances === 0) throw usageError(`No DICOM instance found in ${paths.join(', ')}`);
  const { summary, last } = await runVerifyContent(host, { remoteId, roots, sample: o.sample, quiet: o.quiet || o.json || false }, signal);
  if (summary.committed === 0) throw usageError(`Nothing to compare: no instance below ${paths.join(', ')} is committed at this archive (run safekeep commit first)`);
  if (o.json) out(JSON.stringify(summary, null, 2));
  else printContent(summary, last, out);
  return contentExit(summary);
}
