import type { SessionStore } from '../ports';
import type { NewSession } from '../types';
import type { PgDb } from './db';

/** Browser sessions in PostgreSQL, keyed by the SHA-256 of the session id (the id itself is never stored). */
export class PgSessionRepo implements SessionStore {
  constructor(private readonly db: PgDb) {}

  async create(s: NewSession): Promise<void> {
    await this.db.run(`INSERT INTO browser_sessions (id_hash, client, token_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`, [
      s.idHash,
      s.client,
      s.tokenId,
      s.createdAt,
      s.expiresAt,
    ]);
  }

  async clientOf(idHash: string, now: number): Promise<string | undefined> {
    return (await this.db.row<{ client: string }>(`SELECT client FROM browser_sessions WHERE id_hash = ? AND expires_at > ?`, [idHash, now]))?.client;
  }

  async delete(idHash: string): Promise<void> {
    await this.db.run(`DELETE FROM browser_sessions WHERE id_hash = ?`, [idHash]);
  }

  async deleteForToken(tokenId: number): Promise<number> {
    return this.db.run(`DELETE FROM browser_sessions WHERE token_id = ?`, [tokenId]);
  }

  async purgeExpired(now: number): Promise<number> {
    return this.db.run(`DELETE FROM browser_sessions WHERE expires_at <= ?`, [now]);
  }
}
