import type { Result } from '../../../src-shared/contract/client';
import type { ConnectionState, HttpApiClient, SessionInfo } from '../../../src-renderer/src/api/client.http';
import type { UploadItem, UploadResult } from '../../../src-renderer/src/api/upload';
import { FakeApi } from './fake-api';

/** A fake browser-mode client: a session that needs a token, and a switch to expire it (401). */
export class FakeHttp extends FakeApi implements HttpApiClient {
  override readonly host = 'browser' as const;
  authenticated = false;
  readonly logins: string[] = [];
  readonly uploads: UploadItem[][] = [];
  private readonly unauthorizedFns = new Set<() => void>();
  private readonly connectionFns = new Set<(s: ConnectionState) => void>();
  private state: ConnectionState = 'open';

  constructor(private readonly validToken = 'good-token') {
    super('browser');
  }

  async session(): Promise<Result<SessionInfo>> {
    return { ok: true, value: { authenticated: this.authenticated, client: this.authenticated ? 'ui' : null, authEnabled: true } };
  }

  async login(token: string): Promise<Result<{ client: string }>> {
    this.logins.push(token);
    if (token !== this.validToken) return { ok: false, error: { code: 'unauthorized', message: 'The bearer token is not valid' } };
    this.authenticated = true;
    return { ok: true, value: { client: 'ui' } };
  }

  async logout(): Promise<Result<Record<string, never>>> {
    this.authenticated = false;
    return { ok: true, value: {} };
  }

  async upload(items: readonly UploadItem[]): Promise<Result<UploadResult>> {
    this.uploads.push([...items]);
    return { ok: true, value: { folder: '/data/uploads/drop-1', files: items.length, bytes: items.reduce((n, i) => n + i.file.size, 0) } };
  }

  /** The server forgot the session: the next call answers 401, as the real client reports it. */
  expireSession(): void {
    this.authenticated = false;
    for (const fn of this.unauthorizedFns) fn();
  }

  onUnauthorized(fn: () => void): () => void {
    this.unauthorizedFns.add(fn);
    return () => this.unauthorizedFns.delete(fn);
  }

  onConnection(fn: (s: ConnectionState) => void): () => void {
    this.connectionFns.add(fn);
    return () => this.connectionFns.delete(fn);
  }

  connection(): ConnectionState {
    return this.state;
  }

  setConnection(s: ConnectionState): void {
    this.state = s;
    for (const fn of this.connectionFns) fn(s);
  }

  close(): void {}
}
