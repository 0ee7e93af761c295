/**
 * Errors that cross a boundary (HTTP, IPC, CLI) are values of this shape.
 * Each code maps to exactly one HTTP status so both bridges agree.
 */
export const ERROR_STATUS = {
  'bad-request': 400,
  'invalid-payload': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'not-acceptable': 406,
  conflict: 409,
  cancelled: 409,
  gone: 410,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  /** The Host header names a host this server does not serve (DNS rebinding). */
  misdirected: 421,
  'too-many-requests': 429,
  internal: 500,
  'remote-error': 502,
  unavailable: 503,
  timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface AppErrorValue {
  code: ErrorCode;
  message: string;
  detail?: string;
}

/** A typed exception; `toValue()` is what crosses a boundary. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  /** DICOM status for the Warning header, e.g. 0x0115 (invalid argument value). */
  readonly dicomStatus: number | undefined;
  /** Seconds, for 503 and 429 answers. */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { detail?: string; dicomStatus?: number; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.detail = options.detail;
    this.dicomStatus = options.dicomStatus;
    this.retryAfter = options.retryAfter;
  }

  get httpStatus(): number {
    return ERROR_STATUS[this.code];
  }

  toValue(): AppErrorValue {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }
}

export function isAppErrorValue(v: unknown): v is AppErrorValue {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as AppErrorValue).code === 'string' &&
    (v as AppErrorValue).code in ERROR_STATUS &&
    typeof (v as AppErrorValue).message === 'string'
  );
}

/** Turns anything thrown into an AppError without losing a typed one. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (isAppErrorValue(e)) return new AppError(e.code, e.message, e.detail === undefined ? {} : { detail: e.detail });
  const message = e instanceof Error ? e.message : String(e);
  return new AppError('internal', message, { cause: e });
}
