import os from 'node:os';
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../../../../src-shared/contract/errors';
import { isWildcardHost } from '../../../../src-shared/net';
import { log } from '../../log';

/** Names every server answers to: a page can only reach them from this machine. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/**
 * DNS rebinding guard: a page on another site whose name resolves to this machine sends that name in
 * `Host`; only the loopback names, this machine's host name, the configured listen host, the names configured as allowed
 * (`--allowed-host`, the setting), and the IP address the request actually arrived on are served.
 * An IP literal cannot be rebound (the browser's origin is then the address itself), a foreign name can.
 */
export function hostAllowlist(allowedHosts: () => Promise<readonly string[]>): MiddlewareHandler {
  return async (c, next) => {
    const host = hostnameOf(c.req.header('host'));
    if (host === null || !(isLoopbackName(host) || host === localAddressOf(c) || matchesAny(host, await allowedHosts()))) {
      const shown = (c.req.header('host') ?? '').slice(0, 100);
      log('http').warn(`refused a request for host "${shown}" from ${remoteAddressOf(c)} (not an allowed host name)`);
      throw new AppError('misdirected', `This server does not serve the host name "${shown}"`, {
        detail: 'Use an allowed host name (loopback, the listen address, or one given with --allowed-host)',
        dicomStatus: 0x0124,
      });
    }
    await next();
  };
}

/** "Example.org:8080" -> "example.org", "[::1]:80" -> "::1"; null when absent or malformed. */
export function hostnameOf(header: string | undefined): string | null {
  if (!header) return null;
  const h = header.trim().toLowerCase();
  const m = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h) ?? /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return m ? m[1]!.replace(/\.$/, '') : null;
}

/** Loopback names, and this machine's own host name (a page on another site cannot be served from it). */
function isLoopbackName(host: string): boolean {
  return LOOPBACK_NAMES.includes(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === os.hostname().toLowerCase();
}

/** "*.example.org" allows every name under example.org; anything else is one exact name. */
function matchesAny(host: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) => {
    const a = entry.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
    if (!a || isWildcardHost(a)) return false;
    return a.startsWith('*.') ? host.endsWith(a.slice(1)) : host === a;
  });
}

type NodeEnv = { incoming?: { socket?: { localAddress?: string; remoteAddress?: string } } } | undefined;

function localAddressOf(c: Context): string | undefined {
  return (c.env as NodeEnv)?.incoming?.socket?.localAddress?.replace(/^::ffff:/, '');
}

export function remoteAddressOf(c: Context): string {
  return (c.env as NodeEnv)?.incoming?.socket?.remoteAddress?.replace(/^::ffff:/, '') ?? 'unknown';
}
