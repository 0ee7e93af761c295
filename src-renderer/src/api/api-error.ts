import type { Result } from '../../../src-shared/contract/client';
import type { AppErrorValue, ErrorCode } from '../../../src-shared/contract/errors';

/**
 * An API error as an exception, for the places that need one (react-query's
 * queryFn). The clients themselves never throw: they return Result values.
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;

  constructor(value: AppErrorValue) {
    super(value.message);
    this.name = 'ApiError';
    this.code = value.code;
    this.detail = value.detail;
  }
}

/** The value of a Result, or its error thrown as an ApiError. */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new ApiError(r.error);
}

/** A Result for an error that happened on this side of the bridge. */
export function failure(code: ErrorCode, message: string, detail?: string): { ok: false; error: AppErrorValue } {
  return { ok: false, error: detail === undefined ? { code, message } : { code, message, detail } };
}

/** What to show for anything caught (an ApiError, an Error, a string). */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.detail ? `${e.message} (${e.detail})` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
