/**
 * Issue 12 §3: remote secrets are sealed at rest with a key outside the database, so a copy of the data folder
 * alone reveals nothing; secrets stored in plain text by an earlier version are sealed at the next start; a data
 * folder or key file open to other users is refused.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHost, type Host } from '../../../src-main/core/host/host';
import { KeySealer, keyFileOf } from '../../../src-main/core/secrets/sealer';
import { openSqliteStore } from '../../../src-main/core/store/sqlite-store';
import { safeStorageSealer } from '../../../src-main/electron/safe-storage-sealer';
import { tempDir } from '../../support/fixtures';
import { keepsNothing } from '../../support/keeps-nothing';

const SECRET = 'bearer-SECRET-never-on-disk-7f3a';

/** Every file of the data folder, as bytes (the database, its WAL, uploads). */
function folderBytes(dir: string): Buffer {
  return Buffer.concat(fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => fs.readFileSync(path.join(d.parentPath, d.name))));
}

describe('remote secrets at rest', () => {
  let root: string;
  let archive: http.Server;
  let url: string;

  beforeAll(async () => {
    root = tempDir('safekeep-secrets-');
    // An archive that answers only with the right bearer token.
    archive = http.createServer((req, res) => (req.headers.authorization === `Bearer ${SECRET}` ? keepsNothing(req, res) : res.writeHead(401).end()));
    await new Promise<void>((r) => archive.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(archive.address() as AddressInfo).port}/dicomweb`;
  });
  afterAll(() => {
    archive.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const addRemote = async (host: Host) =>
    (await host.call('remotes-save', { input: { kind: 'dicomweb', name: 'vna', config: { baseUrl: url, auth: 'bearer', timeoutSeconds: 5 }, secret: SECRET } })).id;

  it('seals the secret with a key file beside the data folder; the remote still works; a copy of the folder alone cannot open it', async () => {
    const dataDir = path.join(root, 'a', 'data');
    const host = await openHost({ dataDir, authEnabled: false });
    let id: number;
    try {
      id = await addRemote(host);
      expect(await host.call('remotes-test', { id })).toMatchObject({ ok: true });
    } finally {
      await host.stop();
    }
    expect(folderBytes(dataDir).includes(SECRET)).toBe(false);
    const keyFile = keyFileOf(dataDir);
    expect(path.dirname(keyFile)).toBe(path.dirname(dataDir));
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);

    // The database copied elsewhere (without its key file): the secret stays sealed.
    const copy = path.join(root, 'copy', 'data');
    fs.cpSync(dataDir, copy, { recursive: true });
    const thief = await openHost({ dataDir: copy, authEnabled: false });
    try {
      await expect(thief.core.store.remotes.withSecret(id)).rejects.toThrow(/cannot be decrypted .*sealed with another key/);
    } finally {
      await thief.stop();
    }
  });

  it('seals a secret stored in plain text by an earlier version at the next start', async () => {
    const dataDir = path.join(root, 'legacy', 'data');
    const raw = openSqliteStore(dataDir);
    const { id } = await raw.remotes.save({ kind: 'dicomweb', name: 'old', config: { baseUrl: url, auth: 'bearer' }, secret: SECRET }, Date.now());
    await raw.close();
    expect(folderBytes(dataDir).includes(SECRET)).toBe(true);
    const host = await openHost({ dataDir, authEnabled: false });
    try {
      expect((await host.core.store.remotes.withSecret(id)).secret).toBe(SECRET);
      expect(await host.call('remotes-test', { id })).toMatchObject({ ok: true });
    } finally {
      await host.stop();
    }
    const reopened = openSqliteStore(dataDir);
    try {
      // Checkpointed and closed: neither the database nor its WAL hold it now.
      expect((await reopened.remotes.withSecret(id)).secret).toMatch(/^sealed:aes1:/);
    } finally {
      await reopened.close();
    }
    expect(folderBytes(dataDir).includes(SECRET)).toBe(false);
  });

  it('takes the key from SAFEKEEP_SECRET_KEY instead of a file, and the desktop app from safeStorage', async () => {
    const dataDir = path.join(root, 'env', 'data');
    const key = crypto.randomBytes(32).toString('hex');
    const host = await openHost({ dataDir, authEnabled: false, secretSealer: new KeySealer(dataDir, { SAFEKEEP_SECRET_KEY: key }) });
    try {
      const id = await addRemote(host);
      expect((await host.core.store.remotes.withSecret(id)).secret).toBe(SECRET);
    } finally {
      await host.stop();
    }
    expect(fs.existsSync(keyFileOf(dataDir))).toBe(false);
    expect(folderBytes(dataDir).includes(SECRET)).toBe(false);

    // A stand-in for Electron's safeStorage (the OS keychain): what it returns is what gets stored.
    const osKey = crypto.randomBytes(32);
    const fake = {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => Buffer.from(Buffer.from(s, 'utf8').map((b, i) => b ^ osKey[i % 32]!)),
      decryptString: (b: Buffer) => Buffer.from(b.map((x, i) => x ^ osKey[i % 32]!)).toString('utf8'),
    };
    const desktop = path.join(root, 'desktop', 'data');
    const app = await openHost({ dataDir: desktop, authEnabled: false, secretSealer: safeStorageSealer(fake) });
    try {
      const id = await addRemote(app);
      expect(await app.call('remotes-test', { id })).toMatchObject({ ok: true });
    } finally {
      await app.stop();
    }
    expect(folderBytes(desktop).includes(SECRET)).toBe(false);
  });

  it('refuses a data folder or a key file open to other users, saying what to do', async () => {
    const open = path.join(root, 'open', 'data');
    fs.mkdirSync(open, { recursive: true, mode: 0o700 });
    fs.chmodSync(open, 0o755);
    await expect(openHost({ dataDir: open })).rejects.toThrow(`The data folder ${open} is open to other users (mode 755): run chmod 700 ${open}`);

    const dataDir = path.join(root, 'loose', 'data');
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    fs.writeFileSync(keyFileOf(dataDir), crypto.randomBytes(32).toString('hex'), { mode: 0o644 });
    fs.chmodSync(keyFileOf(dataDir), 0o644);
    const host = await openHost({ dataDir, authEnabled: false });
    try {
      await expect(addRemote(host)).rejects.toThrow(/secret key file .* is open to other users \(mode 644\): run chmod 600/);
    } finally {
      await host.stop();
    }
  });
});
