/**
 * "The same in Settings": the database saved from Settings is kept beside the data folder (database.json, the
 * password sealed, 0600) and used from the next start; --database and SAFEKEEP_DATABASE_URL win over it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHost, type Host } from '../../../../src-main/core/host/host';
import { chosenDatabase, DATABASE_FILE } from '../../../../src-main/core/host/database-file';
import { KeySealer } from '../../../../src-main/core/secrets/sealer';
import { tempDir } from '../../../support/fixtures';
import { createTestDatabase } from '../../../support/postgres';

/** A URL of the test database with a password in it (the cluster trusts loopback: any password passes). */
async function withPassword(): Promise<string> {
  const url = new URL(await createTestDatabase());
  url.password = 'pa:ss w0rd';
  return url.toString();
}

describe('the database chosen in Settings', () => {
  const hosts: Host[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
  });
  const open = async (o: Parameters<typeof openHost>[0]) => {
    const h = await openHost(o);
    hosts.push(h);
    return h;
  };

  it('is stored sealed beside the data folder, waits for a restart, then is the store of the next start', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const url = await withPassword();
    const first = await open({ dataDir, database: null });
    const saved = await first.call('settings-database', { url });
    const shown = url.replace(/:[^:@/]+@/, ':***@');
    expect(saved.database).toEqual({ inUse: null, source: 'option', stored: shown, importAtStart: false, lastImport: null });

    const file = path.join(dataDir, DATABASE_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain('w0rd');
    expect(JSON.parse(text)).toMatchObject({ url: expect.not.stringContaining('w0rd'), password: expect.stringMatching(/^sealed:/) });
    await first.call('remotes-save', { input: { kind: 'dicomweb', name: 'in the first store', config: { baseUrl: 'http://a/dicomweb' } } });
    await first.stop();
    hosts.splice(hosts.indexOf(first), 1);

    const next = await open({ dataDir });
    const view = await next.call('settings-get', {});
    expect(view.database).toEqual({ inUse: shown, source: 'data-folder', stored: shown, importAtStart: false, lastImport: null });
    expect(view.pendingRestart).not.toContain('database');
    // Another store: what the first run stored is not there.
    expect(await next.call('remotes-list', {})).toEqual([]);
  });

  it('a start without a choice says a restart is needed; a bad URL is refused and nothing is stored', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const host = await open({ dataDir });
    await expect(host.call('settings-database', { url: 'mysql://u:secret@db/x' })).rejects.toMatchObject({ code: 'bad-request', message: expect.not.stringContaining('secret') });
    expect(fs.existsSync(path.join(dataDir, DATABASE_FILE))).toBe(false);
    // A history to copy needs a database to copy it into.
    await expect(host.call('settings-database', { url: null, importHistory: true })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/importHistory/) });
    const saved = await host.call('settings-database', { url: await withPassword() });
    expect(saved.pendingRestart).toContain('database');
    const back = await host.call('settings-database', { url: null });
    expect(back.database.stored).toBeNull();
    expect(fs.existsSync(path.join(dataDir, DATABASE_FILE))).toBe(false);
  });

  it('--database wins over SAFEKEEP_DATABASE_URL, which wins over the data folder', async () => {
    const dataDir = tempDir();
    const sealer = new KeySealer(dataDir);
    const env = { SAFEKEEP_DATABASE_URL: 'postgres://env@h/e' };
    expect(chosenDatabase(dataDir, 'postgres://flag@h/f', sealer, env)).toEqual({ url: 'postgres://flag@h/f', source: 'option' });
    expect(chosenDatabase(dataDir, undefined, sealer, env)).toEqual({ url: 'postgres://env@h/e', source: 'environment' });
    expect(chosenDatabase(dataDir, undefined, sealer, {})).toEqual({ url: null, source: 'default' });
  });
});
