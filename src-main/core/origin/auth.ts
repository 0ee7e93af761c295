import { AppError } from '../../../src-shared/contract/errors';
import type { TokenStore } from '../store/ports';
import { hashSecret } from '../store/secret-hash';

export const ANONYMOUS_CLIENT = 'anonymous';

/**
 * Bearer-token authentication (spec §11): each token names one client.
 * Tokens come from the store (created in the app or by `serve`) and from
 * `--token NAME=SECRET` flags, which live only in memory.
 */
export class Authenticator {
  private readonly flagTokens = new Map<string, string>();

  constructor(
    private readonly tokens: TokenStore,
    readonly enabled: boolean,
  ) {}

  addFlagToken(client: string, secret: string): void {
    this.flagTokens.set(hashSecret(secret), client);
  }

  async hasAnyToken(): Promise<boolean> {
    return this.flagTokens.size > 0 || (await this.tokens.activeCount()) > 0;
  }

  /** The client named by an Authorization header, or a 401 AppError. */
  async authenticate(authorization: string | null | undefined): Promise<string> {
    return (await this.identify(authorization)).client;
  }

  /** The client named by an Authorization header and the stored token's id (null for a --token flag), or a 401 AppError. */
  async identify(authorization: string | null | undefined): Promise<{ client: string; tokenId: number | null }> {
    if (!this.enabled) return { client: ANONYMOUS_CLIENT, tokenId: null };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) {
      throw new AppError('unauthorized', authorization ? 'The Authorization header is not a Bearer token' : 'Authentication required', {
        detail: 'Send Authorization: Bearer <token>',
        dicomStatus: 0x0124,
      });
    }
    const secret = m[1]!;
    const flag = this.flagTokens.get(hashSecret(secret));
    if (flag) return { client: flag, tokenId: null };
    const stored = await this.tokens.activeFor(secret);
    if (!stored) throw new AppError('unauthorized', 'The bearer token is not valid', { dicomStatus: 0x0124 });
    return { client: stored.client, tokenId: stored.id };
  }
}

export { isLoopbackHost } from '../../../src-shared/net';
