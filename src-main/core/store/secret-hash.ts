import { createHash } from 'node:crypto';

/** What the store keeps of a secret (a token, a session id): its SHA-256, never the secret itself. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
