import type { Db } from './db';
import type { SessionStore } from './ports';
import type { NewSession } from './types';

/** Browser sessions in SQLite, keyed by the SHA-256 of the session id (the id itself is never stored). */
export class SessionRepo implements SessionStore {
  constructor(private readonly db: Db) {}

  async create(s: NewSession): Promise<void> {
    this.db.sql
      .prepare(`INSERT INTO browser_sessions (id_hash, client, token_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`)
      .run(s.idHash, s.client, s.tokenId, s.createdAt, s.expiresAt);
  }

  /** The client of a session that has not expired at `now`. */
  async clientOf(idHash: string, now: number): Promise<string | undefined> {
    const row = this.db.sql.prepare(`SELECT client FROM browser_sessions WHERE id_hash = ? AND expires_at > ?`).get(idHash, now) as
      | { client: string }
      | undefined;
    return row?.client;
  }

  async delete(idHash: string): Promise<void> {
    this.db.sql.prepare(`DELETE FROM browser_sessions WHERE id_hash = ?`).run(idHash);
  }

  /** Ends the sessions opened with an access token (it was revoked). */
  async deleteForToken(tokenId: number): Promise<number> {
    return this.db.sql.prepare(`DELETE FROM browser_sessions WHERE token_id = ?`).run(tokenId).changes;
  }

  async purgeExpired(now: number): Promise<number> {
    return this.db.sql.prepare(`DELETE FROM browser_sessions WHERE expires_at <= ?`).run(now).changes;
  }
}
