/**
 * Is a file still the one the index describes? The same size and the same modification time in whole
 * milliseconds, as the index stores it. The one rule for rescans, safe-to-delete and content checks.
 */
export function unchangedSince(now: { size: number; mtimeMs: number }, indexed: { size: number; mtimeMs: number }): boolean {
  return now.size === indexed.size && Math.trunc(now.mtimeMs) === indexed.mtimeMs;
}
