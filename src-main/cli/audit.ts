import path from 'node:path';
import { readAudit } from '../core/audit/read';
import { usageError } from './errors';
import { dataDirOf } from './options';

export interface AuditOptions {
  data?: string;
  since?: string;
  json?: boolean;
}

/** "2026-12-01", "2026-12-01T08:00Z", or a duration back from now: "30m", "12h", "7d". */
export function parseSince(value: string, now = Date.now()): number {
  const m = /^(\d+)([mhd])$/.exec(value);
  if (m) return now - Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw usageError(`Invalid --since "${value}": use a date/time (2026-12-01T08:00Z) or a duration (30m, 12h, 7d)`);
  return t;
}

const OUTCOME: Record<number, string> = { 0: 'ok', 4: 'refused', 8: 'failed', 12: 'failed (major)' };

/** `safekeep audit`: the audit trail of the data folder (oldest first), as a table or JSON. */
export function auditCommand(o: AuditOptions, out: (s: string) => void): void {
  const since = o.since ? parseSince(o.since) : 0;
  const records = readAudit(path.join(dataDirOf(o), 'audit'), since);
  if (o.json) {
    out(JSON.stringify(records.map(({ xml: _xml, ...r }) => r), null, 2));
    return;
  }
  if (records.length === 0) {
    out('No audit events');
    return;
  }
  for (const r of records) {
    const detail = Object.entries(r.detail).map(([k, v]) => `${k}=${v}`).join(' ');
    out(
      [r.time, r.event, OUTCOME[r.outcome] ?? String(r.outcome), r.user + (r.address ? `@${r.address}` : ''), r.object ?? '', detail, r.description ?? '']
        .filter((s) => s !== '')
        .join('  '),
    );
  }
}
