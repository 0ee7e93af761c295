import path from 'node:path';
import { SKIP_REASON_TEXT, type ScanProgress, type SkipReason } from '../../src-shared/library';
import type { SafekeepCore } from '../core/app';
import { Progress } from './progress';

export interface ScanSummary {
  roots: string[];
  scan: ScanProgress;
  studies: number;
  series: number;
  instances: number;
  skipped: number;
  conflicts: number;
  problems: { path: string; status: string; reason: string; reasonText: string; message: string }[];
}

/** Scans folders into the core's library, showing progress on a terminal, and summarises what it found. */
export async function scanAndSummarise(core: SafekeepCore, dirs: string[], quiet: boolean): Promise<ScanSummary> {
  const roots = dirs.map((d) => path.resolve(d));
  const progress = new Progress(quiet);
  const off = core.events.on('scan-progress', (p) =>
    progress.update(
      `Scanning: ${p.filesSeen} files, ${p.indexed} indexed, ${p.unchanged} unchanged, ${p.skipped + p.conflicts} skipped`,
    ),
  );
  try {
    const scan = await core.scan(roots);
    progress.done();
    const s = core.library.summary(roots);
    const problems = core.library.problems({ roots, limit: 100_000, offset: 0 }).map((p) => ({
      path: p.path,
      status: p.status,
      reason: p.reason,
      reasonText: SKIP_REASON_TEXT[p.reason as SkipReason] ?? p.reason,
      message: p.message,
    }));
    return { roots, scan, ...s, problems };
  } finally {
    off();
  }
}

export function printScanSummary(s: ScanSummary, out: (line: string) => void): void {
  out(`Library: ${s.studies} studies, ${s.series} series, ${s.instances} instances`);
  out(
    `This scan: ${s.scan.filesSeen} files seen, ${s.scan.indexed} indexed, ${s.scan.unchanged} unchanged, ` +
      `${s.scan.skipped} skipped, ${s.scan.conflicts} conflicts, ${s.scan.removed} removed`,
  );
  if (s.problems.length > 0) {
    out(`Skipped files (${s.problems.length}):`);
    const shown = s.problems.slice(0, 50);
    for (const p of shown) out(`  ${p.path}: ${p.reasonText} — ${p.message}`);
    if (s.problems.length > shown.length) out(`  … and ${s.problems.length - shown.length} more (use --json for all)`);
  }
}
