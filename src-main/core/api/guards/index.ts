import type { Hono } from 'hono';
import { hostAllowlist } from './host-allowlist';
import { requestPathGuard } from './request-path';
import { guardErrorResponse, unknownResource } from './respond';
import { sameOriginGuard } from './same-origin';

export interface HttpGuardOptions {
  /** Host names served besides the loopback names and the address a request arrived on (read per request). */
  allowedHosts: () => Promise<readonly string[]>;
}

/**
 * The guards in front of every route of the HTTP app (origin server, the app's API and pages), in order:
 * allowed Host names (DNS rebinding), a sane request path, same-origin state changes (CSRF).
 * Install them before any route.
 */
export function installGuards(app: Hono<any>, o: HttpGuardOptions): void {
  app.use('*', hostAllowlist(o.allowedHosts), requestPathGuard(), sameOriginGuard());
  app.onError((err, c) => guardErrorResponse(c, err));
  app.notFound(unknownResource);
}
