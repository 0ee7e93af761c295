import { AppError } from '../../../../src-shared/contract/errors';

/**
 * The database could not be reached, or the connection broke mid-call: nothing of the call was committed
 * (or, when `uncertain`, the connection broke while the commit was on its way). Retry later: the pool opens a
 * new connection on the next call.
 */
export class StoreUnavailableError extends AppError {
  readonly retryable = true;

  constructor(
    message: string,
    readonly uncertain: boolean,
    cause: unknown,
  ) {
    super('unavailable', message, { retryAfter: 5, cause });
    this.name = 'StoreUnavailableError';
  }
}

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOENT']);
/** admin_shutdown, crash_shutdown, cannot_connect_now (starting or stopping), too_many_connections. */
const SERVER_GONE = new Set(['57P01', '57P02', '57P03', '53300']);
const BROKEN = /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Connection ended/i;

/** True for an error that says the connection (not the statement) failed. */
export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_GONE.has(code) || code.startsWith('08'))) return true;
  return e instanceof Error && BROKEN.test(e.message);
}

/**
 * A COMMIT that failed this way did not commit: the client refused to send it (its connection had already
 * failed), or the server answered it with an error (a shutdown rolls back the open transaction). Only a
 * connection cut while waiting for the answer leaves the outcome unknown.
 */
export function commitNotApplied(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return (typeof code === 'string' && SERVER_GONE.has(code)) || (e instanceof Error && /not queryable/i.test(e.message));
}

/** serialization_failure, deadlock_detected: the transaction was rolled back and may simply run again. */
export function isTransient(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === '40001' || code === '40P01';
}

/** PostgreSQL's unique_violation (a key taken by another transaction). */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = e as { code?: unknown; constraint?: unknown };
  return err?.code === '23505' && (constraint === undefined || err.constraint === constraint);
}

/** What the caller gets: a typed error naming the database (redacted), or the error as it was. */
export function storeError(e: unknown, where: string, uncertain = false): unknown {
  if (e instanceof AppError) return e;
  const code = (e as { code?: unknown })?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (isConnectionError(e)) {
    const what = uncertain ? ' while a change was being committed (it may or may not be stored)' : '';
    return new StoreUnavailableError(`The database ${where} is not reachable${what}: ${message}`, uncertain, e);
  }
  // invalid_authorization_specification, invalid_password, invalid_catalog_name: the URL is wrong.
  if (typeof code === 'string' && (code.startsWith('28') || code === '3D000')) {
    return new AppError('unavailable', `The database ${where} refused the connection: ${message}`, { cause: e });
  }
  return e;
}
