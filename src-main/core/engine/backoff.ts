/**
 * Waiting between attempts. The archive's Retry-After always wins; without it the
 * wait grows exponentially with "equal jitter" (half fixed, half random), so many
 * requests retrying together do not hit the archive in lock-step.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Polling a Working request without Retry-After: 1 s, 2 s, 4 s ... up to a minute. */
export const POLL_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000 };
/** Errors (503 without Retry-After, 429, timeouts, connection errors): 1 s ... up to 5 minutes. */
export const ERROR_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 5 * 60_000 };

export function backoffMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; milliseconds to wait, or null. */
export function retryAfterMs(header: string | null | undefined, now: number): number | null {
  if (!header) return null;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The wait before the next attempt: Retry-After when given (never less), else back-off. */
export function nextDelayMs(header: string | null | undefined, attempt: number, policy: BackoffPolicy, now: number): number {
  return retryAfterMs(header, now) ?? backoffMs(attempt, policy);
}
