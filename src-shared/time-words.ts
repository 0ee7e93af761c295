/** Durations and times of day in words, the same in the CLI and the app. */

const pad = (n: number) => String(n).padStart(2, '0');

/** A duration in words for tables: "12 s", "5 min", "3 h", "2 d". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** Local time of day, "14:05"; "tomorrow 14:05" on the next day; else with the date, "2026-01-05 14:05". */
export function formatClock(at: number, now: number): string {
  const d = new Date(at);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const day = new Date(now);
  if (day.toDateString() === d.toDateString()) return hm;
  day.setDate(day.getDate() + 1);
  if (day.toDateString() === d.toDateString()) return `tomorrow ${hm}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}
