/** Formatting shared by every screen: one way to show a count, a size, a date, an age. */
import { formatDuration } from '../../../src-shared/time-words';

export { formatDuration };

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** DICOM DA "20260101" → "2026-01-01" (anything else as it is). */
export function formatDicomDate(da: string | null): string {
  if (!da) return '';
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : da;
}

/** DICOM PN "DOE^JANE" → "DOE, JANE". */
export function formatPersonName(pn: string | null): string {
  if (!pn) return '';
  const [family, given, middle] = pn.split('=')[0]!.split('^');
  return [family, [given, middle].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local date and time, "2026-01-01 14:03:09". */
export function formatTime(ms: number | null): string {
  if (ms === null) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "5 min ago" */
export function formatAge(at: number | null, now: number): string {
  return at === null ? '' : `${formatDuration(now - at)} ago`;
}

/** "in 12 s", or "now" when due. */
export function formatDue(at: number | null, now: number): string {
  if (at === null) return '';
  return at <= now ? 'now' : `in ${formatDuration(at - now)}`;
}

export function percent(part: number, whole: number): number {
  return whole <= 0 ? 0 : Math.min(100, (part / whole) * 100);
}
