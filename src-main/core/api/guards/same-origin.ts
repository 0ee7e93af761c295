import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../../../src-shared/contract/errors';
import { log } from '../../log';
import { remoteAddressOf } from './host-allowlist';

/** Sent by the app's own HTTP client: a form or a cross-site page cannot set it without a CORS preflight. */
export const REQUEST_HEADER = 'X-Safekeep-Request';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request guard for every state-changing method. A request with an `Origin` must come from
 * this very origin (the host and port of the request). Without one:
 * - the app's API (`/api/*`, uploads included) wants the app's own header or a bearer token;
 * - the DICOMweb origin server serves non-browser user agents, which send no Origin: they pass (their
 *   bearer token is checked by the route; a form cannot send its DICOM media types anyway).
 */
export function sameOriginGuard(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    const refuse = (why: string) => {
      log('http').warn(`refused ${c.req.method} ${c.req.path.slice(0, 200)} from ${remoteAddressOf(c)}: ${why}`);
      return new AppError('forbidden', `Cross-site request refused: ${why}`, {
        detail: 'State-changing requests must come from the app itself (same Origin) or from a client with a bearer token',
      });
    };
    if (origin !== undefined) {
      if (!isSameOrigin(origin, c.req.header('host'))) throw refuse(`Origin ${origin.slice(0, 100)} is not this server`);
      return next();
    }
    const fetchSite = c.req.header('sec-fetch-site');
    if (fetchSite === 'cross-site' || fetchSite === 'same-site') throw refuse(`Sec-Fetch-Site is ${fetchSite}`);
    if (c.req.path.startsWith('/api/') && !c.req.header(REQUEST_HEADER) && !/^Bearer\s/i.test(c.req.header('authorization') ?? '')) {
      throw refuse(`no Origin and no ${REQUEST_HEADER} header`);
    }
    return next();
  };
}

/**
 * The Origin names the host and port the request was sent to. The scheme is not compared: behind a
 * TLS-terminating proxy the browser's origin is https while the request reaching Safekeep is http.
 */
function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (origin === 'null' || !host) return false;
  try {
    const o = new URL(origin);
    if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
    const port = o.port || (o.protocol === 'https:' ? '443' : '80');
    const h = new URL(`http://${host}`);
    // A Host without a port was reached on a default port (80, or 443 at a TLS proxy).
    return o.hostname === h.hostname && (h.port ? port === h.port : port === '80' || port === '443');
  } catch {
    return false;
  }
}
