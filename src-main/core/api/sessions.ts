import { randomBytes } from 'node:crypto';

/**
 * Browser sessions of the app in browser mode: a login with a bearer token (or a
 * one-time link printed by `serve`) gives an HttpOnly cookie. Sessions live in memory;
 * a restart asks for a new login.
 */
export class Sessions {
  private readonly sessions = new Map<string, { client: string; expiresAt: number }>();
  private readonly oneTimeCodes = new Map<string, { client: string; expiresAt: number }>();

  constructor(private readonly ttlMs = 12 * 3600 * 1000) {}

  create(client: string): string {
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, { client, expiresAt: Date.now() + this.ttlMs });
    return id;
  }

  clientOf(id: string | undefined): string | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAt < Date.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s.client;
  }

  end(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  /** A code for a login link, valid once and for a short time. */
  oneTimeCode(client: string, ttlMs = 10 * 60 * 1000): string {
    const code = randomBytes(24).toString('base64url');
    this.oneTimeCodes.set(code, { client, expiresAt: Date.now() + ttlMs });
    return code;
  }

  redeem(code: string | undefined): string | undefined {
    if (!code) return undefined;
    const c = this.oneTimeCodes.get(code);
    this.oneTimeCodes.delete(code);
    return c && c.expiresAt >= Date.now() ? c.client : undefined;
  }
}
