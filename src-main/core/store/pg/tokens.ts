import { randomBytes } from 'node:crypto';
import type { TokenStore } from '../ports';
import { hashSecret } from '../secret-hash';
import type { TokenInfo } from '../types';
import type { PgDb } from './db';

/** Bearer tokens of the origin server, in PostgreSQL. Only a hash of each secret is stored. */
export class PgTokenRepo implements TokenStore {
  constructor(private readonly db: PgDb) {}

  async create(client: string, now: number, secret = randomBytes(24).toString('base64url')): Promise<{ token: TokenInfo; secret: string }> {
    const hint = secret.slice(0, 4);
    const [row] = await this.db.tx((t) =>
      t.returning<{ id: number }>(`INSERT INTO tokens (client, secret_hash, hint, created_at) VALUES (?, ?, ?, ?) RETURNING id`, [client, hashSecret(secret), hint, now]),
    );
    return { token: { id: row!.id, client, hint, createdAt: now, revokedAt: null }, secret };
  }

  async list(): Promise<TokenInfo[]> {
    return this.db.rows(`SELECT id, client, hint, created_at AS "createdAt", revoked_at AS "revokedAt" FROM tokens ORDER BY id`);
  }

  async revoke(id: number, now: number): Promise<boolean> {
    return (await this.db.run(`UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, [now, id])) > 0;
  }

  async activeFor(secret: string): Promise<{ id: number; client: string } | undefined> {
    return this.db.row(`SELECT id, client FROM tokens WHERE secret_hash = ? AND revoked_at IS NULL`, [hashSecret(secret)]);
  }

  async activeCount(): Promise<number> {
    return (await this.db.row<{ n: number }>(`SELECT COUNT(*) AS n FROM tokens WHERE revoked_at IS NULL`))!.n;
  }
}
