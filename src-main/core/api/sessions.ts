import { randomBytes } from 'node:crypto';
import type { Clock } from '../scheduler';
import type { SessionStore } from '../store/ports';
import { hashSecret } from '../store/secret-hash';

/**
 * Browser sessions of the app in browser mode: a login with a bearer token (or a one-time link printed by
 * `serve`) gives an HttpOnly cookie holding a random session id. Sessions are kept in the store, so they
 * survive a restart of `serve`; only the SHA-256 of each id is stored, with its expiry and the token it was
 * opened with (revoking that token ends it). One-time login codes live in memory: `serve` prints a new one
 * at each start.
 */
export class Sessions {
  private readonly oneTimeCodes = new Map<string, { client: string; expiresAt: number }>();

  constructor(
    private readonly store: SessionStore,
    private readonly clock: Clock,
    private readonly ttlMs = 12 * 3600 * 1000,
  ) {}

  async create(client: string, tokenId: number | null = null): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.store.purgeExpired(now);
    await this.store.create({ idHash: hashSecret(id), client, tokenId, createdAt: now, expiresAt: now + this.ttlMs });
    return id;
  }

  async clientOf(id: string | undefined): Promise<string | undefined> {
    return id ? this.store.clientOf(hashSecret(id), this.clock.now()) : undefined;
  }

  /** Logout. */
  async end(id: string | undefined): Promise<void> {
    if (id) await this.store.delete(hashSecret(id));
  }

  /** The token a session was opened with was revoked: its sessions end. */
  endForToken(tokenId: number): Promise<number> {
    return this.store.deleteForToken(tokenId);
  }

  purgeExpired(): Promise<number> {
    return this.store.purgeExpired(this.clock.now());
  }

  /** A code for a login link, valid once and for a short time. */
  oneTimeCode(client: string, ttlMs = 10 * 60 * 1000): string {
    const code = randomBytes(24).toString('base64url');
    this.oneTimeCodes.set(code, { client, expiresAt: this.clock.now() + ttlMs });
    return code;
  }

  redeem(code: string | undefined): string | undefined {
    if (!code) return undefined;
    const c = this.oneTimeCodes.get(code);
    this.oneTimeCodes.delete(code);
    return c && c.expiresAt >= this.clock.now() ? c.client : undefined;
  }
}
