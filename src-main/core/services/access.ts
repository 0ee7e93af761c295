import type { TokenView } from '../../../src-shared/contract/handlers';
import { AppError } from '../../../src-shared/contract/errors';
import type { Clock } from '../scheduler';
import { Authenticator } from '../origin/auth';
import type { TokenStore } from '../store/ports';

/** The browser sessions (api/sessions.ts), as far as access needs them. */
export interface BrowserSessions {
  endForToken(tokenId: number): Promise<unknown>;
  oneTimeCode(client: string, ttlMs?: number): string;
  purgeExpired(): Promise<number>;
}

export interface AccessServiceDeps {
  tokens: TokenStore;
  /** Browser-mode sessions: made by the composition root, which hands the same object to the HTTP API. */
  sessions: BrowserSessions;
  clock: Clock;
  /** false only for a server bound to loopback (checked by the host). */
  authEnabled: boolean;
  /** `--token NAME=SECRET` flags: valid for this run only, never stored. */
  flagTokens: readonly { client: string; secret: string }[];
}

/** Who may call: the bearer tokens of the origin server and the API, and the browser sessions opened with them. */
export class AccessService {
  readonly auth: Authenticator;
  private readonly sessions: BrowserSessions;

  constructor(private readonly deps: AccessServiceDeps) {
    this.auth = new Authenticator(deps.tokens, deps.authEnabled);
    for (const t of deps.flagTokens) this.auth.addFlagToken(t.client, t.secret);
    this.sessions = deps.sessions;
  }

  listTokens(): Promise<TokenView[]> {
    return this.deps.tokens.list();
  }

  createToken(client: string): Promise<{ token: TokenView; secret: string }> {
    return this.deps.tokens.create(client, this.deps.clock.now());
  }

  /** Revokes an access token; the browser sessions opened with it end too. */
  async revokeToken(id: number): Promise<void> {
    if (!(await this.deps.tokens.revoke(id, this.deps.clock.now()))) throw new AppError('not-found', `No active token ${id}`);
    await this.sessions.endForToken(id);
  }

  /** A one-time login link's code, for the host to print (`serve`; never a handler, see Host.loginCode). */
  oneTimeCode(client: string, ttlMs?: number): string {
    return this.sessions.oneTimeCode(client, ttlMs);
  }

  purgeExpiredSessions(): Promise<number> {
    return this.sessions.purgeExpired();
  }
}
