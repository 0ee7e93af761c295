import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db';

export interface TokenInfo {
  id: number;
  client: string;
  /** First characters of the secret, to tell tokens apart without revealing them. */
  hint: string;
  createdAt: number;
  revokedAt: number | null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Bearer tokens of the origin server. Only a hash of each secret is stored. */
export class TokenRepo {
  constructor(private readonly db: Db) {}

  /** Creates a token for `client` and returns its secret, which is shown once and never stored. */
  create(client: string, now: number, secret = randomBytes(24).toString('base64url')): { token: TokenInfo; secret: string } {
    const r = this.db.sql
      .prepare(`INSERT INTO tokens (client, secret_hash, hint, created_at) VALUES (?, ?, ?, ?)`)
      .run(client, hashSecret(secret), secret.slice(0, 4), now);
    return { token: { id: Number(r.lastInsertRowid), client, hint: secret.slice(0, 4), createdAt: now, revokedAt: null }, secret };
  }

  list(): TokenInfo[] {
    return this.db.sql
      .prepare(`SELECT id, client, hint, created_at AS createdAt, revoked_at AS revokedAt FROM tokens ORDER BY id`)
      .all() as TokenInfo[];
  }

  revoke(id: number, now: number): boolean {
    return this.db.sql.prepare(`UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`).run(now, id).changes > 0;
  }

  /** The active token with this secret: its id and the client it names. */
  activeFor(secret: string): { id: number; client: string } | undefined {
    return this.db.sql
      .prepare(`SELECT id, client FROM tokens WHERE secret_hash = ? AND revoked_at IS NULL`)
      .get(hashSecret(secret)) as { id: number; client: string } | undefined;
  }

  activeCount(): number {
    return (this.db.sql.prepare(`SELECT COUNT(*) AS n FROM tokens WHERE revoked_at IS NULL`).get() as { n: number }).n;
  }
}
