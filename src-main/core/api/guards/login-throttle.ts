import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../../../src-shared/contract/errors';
import type { Clock } from '../../scheduler';
import { log } from '../../log';
import { remoteAddressOf } from './host-allowlist';

export interface LoginThrottleOptions {
  /** Wrong codes allowed per client address within the window; the next attempt gets 429. */
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { maxFailures: 10, windowMs: 5 * 60 * 1000 };

/** At most this many addresses are remembered (a flood of addresses cannot grow memory without bound). */
const MAX_TRACKED = 10_000;

/**
 * Login throttle per client address: each wrong token or login code (an answer 401) is counted; after
 * `maxFailures` within `windowMs` every attempt from that address, right or wrong, gets 429 with
 * Retry-After until the oldest failure leaves the window. A successful login clears the count.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly o: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE,
    /** Told of each refused login: a wrong code, or an attempt while throttled (the audit trail). */
    private readonly onRefused: (address: string, why: string) => void = () => {},
  ) {}

  /** Seconds to wait, or 0 when the address may try now. */
  retryAfterSeconds(address: string): number {
    const recent = this.recent(address);
    if (recent.length < this.o.maxFailures) return 0;
    return Math.max(1, Math.ceil((recent[recent.length - this.o.maxFailures]! + this.o.windowMs - this.clock.now()) / 1000));
  }

  fail(address: string): void {
    const recent = this.recent(address);
    recent.push(this.clock.now());
    this.failures.delete(address); // re-insert: the Map's order is the least recently failing first
    this.failures.set(address, recent.slice(-this.o.maxFailures));
    if (this.failures.size > MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
    if (recent.length === this.o.maxFailures) {
      log('api').warn(`login: ${recent.length} wrong login codes from ${address} within ${this.o.windowMs / 1000} s; further attempts refused for a while`);
    }
  }

  succeed(address: string): void {
    this.failures.delete(address);
  }

  /** Guards a login route: refuses while the address is throttled, and counts the route's 401 answers. */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const address = remoteAddressOf(c);
      const wait = this.retryAfterSeconds(address);
      if (wait > 0) {
        log('api').warn(`login: refused an attempt from ${address} (throttled, retry after ${wait} s)`);
        this.onRefused(address, 'throttled: too many wrong login codes');
        throw new AppError('too-many-requests', 'Too many wrong login attempts from this address', {
          detail: `Try again in ${wait} s`,
          retryAfter: wait,
        });
      }
      await next();
      if (c.res.status === 401) {
        this.fail(address);
        this.onRefused(address, 'wrong login code');
      }
      else if (c.res.status < 400) this.succeed(address);
    };
  }

  private recent(address: string): number[] {
    const since = this.clock.now() - this.o.windowMs;
    return (this.failures.get(address) ?? []).filter((t) => t > since);
  }
}
