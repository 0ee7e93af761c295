import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const CACHE_DIR = path.join(BENCH_DIR, '.cache');

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Empties the OS page cache so reads come from the disk (needs root; returns false otherwise). */
export function dropPageCache(): boolean {
  try {
    execSync('sync');
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((v, c) => String(v).padEnd(widths[c]!)).join('  ')).join('\n');
}

/** Peak resident memory of a process, from /proc (Linux). */
export function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Resets a process's peak resident memory (Linux: writing 5 to clear_refs), to measure one phase; false if not allowed. */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** An archive's answer for `count` instances as the verdict benches use it: all committed but 1 in 100 failed (0112H). */
export function mostlyCommitted(count: number) {
  return Array.from({ length: count }, (_, seq) => {
    const failed = seq % 100 === 7;
    return { seq, outcome: failed ? ('failed' as const) : ('committed' as const), failureReason: failed ? 0x0112 : null, detail: null };
  });
}
