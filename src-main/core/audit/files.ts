import fs from 'node:fs';
import path from 'node:path';

/** The current audit file of the audit folder; rotated ones are audit.1.log (newest) ... audit.N.log. */
export const AUDIT_FILE = 'audit.log';

/** The audit files of a folder, oldest first. */
export function auditFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const rotated = fs
    .readdirSync(dir)
    .map((f) => /^audit\.(\d+)\.log$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(b[1]) - Number(a[1]))
    .map((m) => path.join(dir, m[0]));
  const current = path.join(dir, AUDIT_FILE);
  return fs.existsSync(current) ? [...rotated, current] : rotated;
}
