import type { Context } from 'hono';
import { AppError, toAppError } from '../../../../src-shared/contract/errors';
import { log } from '../../log';
import { problemResponse } from '../../origin/problem';

/**
 * The answer to a request a guard refused (or anything thrown outside a route): the app's API gets its
 * `{ok: false, error}` envelope, everything else (DICOMweb, pages) a problem body with a Warning header.
 */
export function guardErrorResponse(c: Context, err: unknown): Response {
  const e = toAppError(err);
  if (!c.req.path.startsWith('/api/')) return problemResponse(c, e);
  if (e.code === 'internal') log('api').error('internal error:', err);
  if (e.retryAfter !== undefined) c.header('Retry-After', String(e.retryAfter));
  return c.json({ ok: false, error: e.toValue() }, e.httpStatus as 400);
}

/** 404 for a path under the API or DICOMweb that no route answers (instead of the app's page). */
export function unknownResource(c: Context): Response {
  return guardErrorResponse(c, new AppError('not-found', `No resource at ${c.req.path.slice(0, 200)}`));
}
