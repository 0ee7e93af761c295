import path from 'node:path';
import { problemReasonText, type ScanProgress } from '../../src-shared/library';
import type { LibrarySummary } from '../../src-shared/contract/handlers';
import type { Host } from '../core/host/host';
import { Progress } from './progress';

export interface ScanSummary extends Omit<LibrarySummary, 'bytes' | 'roots'> {
  roots: string[];
  scan: ScanProgress;
  /** Skipped files, conflicts, duplicate copies, and indexed files with a flag (status 'flagged'). */
  problems: { path: string; status: string; reason: string; reasonText: string; message: string }[];
}

/** Scans folders into the core's library, showing progress on a terminal, and summarises what it found. */
export async function scanAndSummarise(host: Host, dirs: string[], quiet: boolean): Promise<ScanSummary> {
  const progress = new Progress(quiet);
  const off = host.events.on('scan-progress', (p) =>
    progress.update(
      `Scanning: ${p.filesSeen} files, ${p.indexed} indexed, ${p.unchanged} unchanged, ${p.skipped + p.conflicts + p.duplicates} skipped`,
    ),
  );
  try {
    const { roots, scan, counts, problems: found } = await host.call('library-scan', { paths: dirs.map((d) => path.resolve(d)) });
    progress.done();
    const problems = found.map((p) => ({
      path: p.path,
      status: p.status,
      reason: p.reason,
      reasonText: problemReasonText(p.reason),
      message: p.message,
    }));
    return { roots, scan, ...counts, problems };
  } finally {
    off();
  }
}

const SHOWN_PER_GROUP = 20;
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const PROBLEM_HEADING: Record<string, string> = {
  flagged: 'Indexed with a warning',
  conflict: 'Conflicts (a different file under a SOP Instance UID already indexed; not indexed)',
  duplicate: 'Duplicate copies (identical to an indexed file; not indexed)',
  skipped: 'Skipped files',
};

export function printScanSummary(s: ScanSummary, out: (line: string) => void): void {
  out(`Library: ${s.studies} studies, ${s.series} series, ${s.instances} instances${s.flagged ? ` (${s.flagged} flagged: truncated pixel data)` : ''}`);
  out(
    `This scan: ${s.scan.filesSeen} files seen, ${s.scan.indexed} indexed (${s.scan.flagged} flagged), ${s.scan.unchanged} unchanged, ` +
      `${s.scan.skipped} skipped, ${count(s.scan.conflicts, 'conflict')}, ${count(s.scan.duplicates, 'duplicate copy', 'duplicate copies')}, ${s.scan.removed} removed`,
  );
  for (const [status, heading] of Object.entries(PROBLEM_HEADING)) {
    const group = s.problems.filter((p) => p.status === status);
    if (group.length === 0) continue;
    out(`${heading} (${group.length}):`);
    for (const p of group.slice(0, SHOWN_PER_GROUP)) out(`  ${p.path}: ${p.reasonText} — ${p.message}`);
    if (group.length > SHOWN_PER_GROUP) out(`  … and ${group.length - SHOWN_PER_GROUP} more (use --json for all)`);
  }
}
