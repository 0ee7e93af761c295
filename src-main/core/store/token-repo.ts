import { randomBytes } from 'node:crypto';
import type { Db } from './db';
import type { TokenStore } from './ports';
import { hashSecret } from './secret-hash';
import type { TokenInfo } from './types';

export type { TokenInfo };
export { hashSecret };

/** Bearer tokens of the origin server, in SQLite. Only a hash of each secret is stored. */
export class TokenRepo implements TokenStore {
  constructor(private readonly db: Db) {}

  /** Creates a token for `client` and returns its secret, which is shown once and never stored. */
  async create(client: string, now: number, secret = randomBytes(24).toString('base64url')): Promise<{ token: TokenInfo; secret: string }> {
    const r = this.db.sql
      .prepare(`INSERT INTO tokens (client, secret_hash, hint, created_at) VALUES (?, ?, ?, ?)`)
      .run(client, hashSecret(secret), secret.slice(0, 4), now);
    return { token: { id: Number(r.lastInsertRowid), client, hint: secret.slice(0, 4), createdAt: now, revokedAt: null }, secret };
  }

  async list(): Promise<TokenInfo[]> {
    return this.db.sql
      .prepare(`SELECT id, client, hint, created_at AS createdAt, revoked_at AS revokedAt FROM tokens ORDER BY id`)
      .all() as TokenInfo[];
  }

  async revoke(id: number, now: number): Promise<boolean> {
    return this.db.sql.prepare(`UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`).run(now, id).changes > 0;
  }

  /** The active token with this secret: its id and the client it names. */
  async activeFor(secret: string): Promise<{ id: number; client: string } | undefined> {
    return this.db.sql
      .prepare(`SELECT id, client FROM tokens WHERE secret_hash = ? AND revoked_at IS NULL`)
      .get(hashSecret(secret)) as { id: number; client: string } | undefined;
  }

  async activeCount(): Promise<number> {
    return (this.db.sql.prepare(`SELECT COUNT(*) AS n FROM tokens WHERE revoked_at IS NULL`).get() as { n: number }).n;
  }
}
