import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sessions } from '../../../src-main/core/api/sessions';
import { openHost } from '../../../src-main/core/host/host';
import { openDb, type Db } from '../../../src-main/core/store/db';
import { SessionRepo } from '../../../src-main/core/store/session-repo';
import { tempDir } from '../../support/fixtures';

const HOUR = 3600 * 1000;

describe('browser sessions in the store', () => {
  let dir: string;
  let db: Db;
  let now: number;
  const clock = { now: () => now };

  beforeEach(() => {
    dir = tempDir();
    db = openDb(dir);
    now = 1_700_000_000_000;
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rows = () => db.sql.prepare(`SELECT * FROM browser_sessions`).all() as Record<string, unknown>[];

  it('stores only the SHA-256 of the session id, with the client, the token and an expiry', async () => {
    const sessions = new Sessions(new SessionRepo(db), clock, 12 * HOUR);
    const id = await sessions.create('ui', 7);
    expect(id.length).toBeGreaterThanOrEqual(43); // 32 random bytes
    expect(rows()).toEqual([
      { id_hash: createHash('sha256').update(id, 'utf8').digest('hex'), client: 'ui', token_id: 7, created_at: now, expires_at: now + 12 * HOUR },
    ]);
    // The id itself is nowhere in the database file.
    db.sql.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    expect(fs.readFileSync(db.file).includes(Buffer.from(id))).toBe(false);
    expect(await sessions.clientOf(id)).toBe('ui');
    expect(await sessions.clientOf(createHash('sha256').update(id, 'utf8').digest('hex'))).toBeUndefined();
  });

  it('survives a restart (a new Sessions on the reopened store), expires, and is purged', async () => {
    const id = await new Sessions(new SessionRepo(db), clock, 12 * HOUR).create('ui');
    db.close();
    db = openDb(dir);
    const again = new Sessions(new SessionRepo(db), clock, 12 * HOUR);
    expect(await again.clientOf(id)).toBe('ui');
    now += 12 * HOUR;
    expect(await again.clientOf(id)).toBeUndefined();
    await again.create('other'); // creating a session purges the expired ones
    expect(rows().map((r) => r.client)).toEqual(['other']);
  });

  it('logout deletes the session; revoking its token ends the sessions opened with it', async () => {
    const sessions = new Sessions(new SessionRepo(db), clock);
    const a = await sessions.create('ui', 1);
    const b = await sessions.create('ui', 1);
    const c = await sessions.create('pacs', 2);
    await sessions.end(a);
    expect(await sessions.clientOf(a)).toBeUndefined();
    expect(await sessions.endForToken(1)).toBe(1);
    expect(await sessions.clientOf(b)).toBeUndefined();
    expect(await sessions.clientOf(c)).toBe('pacs');
    expect(rows()).toHaveLength(1);
  });
});

describe('browser sessions over HTTP', () => {
  it('a token revoked in the app logs out the browsers that logged in with it', async () => {
    const dir = tempDir();
    const host = await openHost({ dataDir: path.join(dir, 'data'), authEnabled: true });
    const server = (await host.start({ http: { host: '127.0.0.1', port: 0, browser: true } })).server!;
    // A second connection to the same database, to look at the sessions table.
    const db = openDb(path.join(dir, 'data'));
    try {
      const { token, secret } = await host.call('tokens-create', { client: 'ui' });
      const login = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-safekeep-request': '1' }, body: JSON.stringify({ token: secret }) });
      expect(login.status).toBe(200);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const session = async () => ((await (await fetch(`${server.url}/api/session`, { headers: { cookie } })).json()) as { value: { authenticated: boolean } }).value;
      expect(await session()).toMatchObject({ authenticated: true });
      expect((db.sql.prepare(`SELECT token_id FROM browser_sessions`).get() as { token_id: number }).token_id).toBe(token.id);
      await host.call('tokens-revoke', { id: token.id });
      expect(await session()).toMatchObject({ authenticated: false });
    } finally {
      db.close();
      await host.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
