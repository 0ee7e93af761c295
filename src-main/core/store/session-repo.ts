import type { Db } from './db';

/** Browser sessions, keyed by the SHA-256 of the session id (the id itself is never stored). */
export class SessionRepo {
  constructor(private readonly db: Db) {}

  create(s: { idHash: string; client: string; tokenId: number | null; createdAt: number; expiresAt: number }): void {
    this.db.sql
      .prepare(`INSERT INTO browser_sessions (id_hash, client, token_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`)
      .run(s.idHash, s.client, s.tokenId, s.createdAt, s.expiresAt);
  }

  /** The client of a session that has not expired at `now`. */
  clientOf(idHash: string, now: number): string | undefined {
    const row = this.db.sql.prepare(`SELECT client FROM browser_sessions WHERE id_hash = ? AND expires_at > ?`).get(idHash, now) as
      | { client: string }
      | undefined;
    return row?.client;
  }

  delete(idHash: string): void {
    this.db.sql.prepare(`DELETE FROM browser_sessions WHERE id_hash = ?`).run(idHash);
  }

  /** Ends the sessions opened with an access token (it was revoked). */
  deleteForToken(tokenId: number): number {
    return this.db.sql.prepare(`DELETE FROM browser_sessions WHERE token_id = ?`).run(tokenId).changes;
  }

  purgeExpired(now: number): number {
    return this.db.sql.prepare(`DELETE FROM browser_sessions WHERE expires_at <= ?`).run(now).changes;
  }
}
