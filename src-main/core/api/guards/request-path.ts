import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../../../src-shared/contract/errors';

/**
 * The request path must decode to printable ASCII: invalid percent-encoding (a lone %, a cut UTF-8
 * sequence), control characters (%00, %01) and non-ASCII characters are refused with 400 before any
 * route decodes the path itself. Safekeep's own paths are all ASCII.
 */
export function requestPathGuard(): MiddlewareHandler {
  return async (c, next) => {
    const problem = pathProblem(rawPathOf(c.req.url));
    if (problem) throw new AppError('bad-request', `Invalid request path: ${problem}`);
    await next();
  };
}

export function pathProblem(rawPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return 'invalid percent-encoding';
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(decoded)) return 'it contains a control character';
  if (/[^\x20-\x7e]/.test(decoded)) return 'it contains a non-ASCII character';
  return null;
}

/** The path as sent (still percent-encoded; the URL parser percent-encodes raw non-ASCII bytes). */
function rawPathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start < 0) return '/';
  const end = url.search(/[?#]/);
  return url.slice(start, end < 0 || end < start ? undefined : end);
}
