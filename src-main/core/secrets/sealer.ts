/**
 * Secrets at rest (issue 12 §3): remote passwords and bearer tokens are stored sealed, so that a copy of the
 * database alone reveals nothing. The key lives outside the database: Electron's safeStorage in the desktop app
 * (electron/safe-storage-sealer.ts), else SAFEKEEP_SECRET_KEY (32 bytes, hex or base64) or a 0600 key file beside
 * the data folder, created on first use. AES-256-GCM, a fresh IV per value.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../src-shared/contract/errors';

export interface SecretSealer {
  /** Where the key comes from, for messages ("the key file /x/.data.key"). */
  readonly keySource: string;
  seal(plain: string): string;
  /** Throws an AppError when the value was sealed with another key. */
  open(sealed: string): string;
}

const PREFIX = 'sealed:';
const AES = `${PREFIX}aes1:`;

/** A stored secret written before sealing existed: plain text, sealed again at the next start. */
export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

export const SECRET_KEY_ENV = 'SAFEKEEP_SECRET_KEY';

/** `<parent>/.<name>.key` for the data folder `<parent>/<name>`: outside the folder that holds the database. */
export function keyFileOf(dataDir: string): string {
  const abs = path.resolve(dataDir);
  return path.join(path.dirname(abs), `.${path.basename(abs)}.key`);
}

function parseKey(text: string, source: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new AppError('bad-request', `${source} must hold a 256-bit key (64 hex digits or 44 base64 characters)`);
  return key;
}

/** The key file, created (0600, 32 random bytes) when missing; one readable by other users is refused. */
function keyFromFile(file: string): Buffer {
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new AppError('bad-request', `Cannot create the secret key file ${file}: ${(e as NodeJS.ErrnoException).code}`);
  }
  if (process.platform !== 'win32') {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) throw new AppError('forbidden', `The secret key file ${file} is open to other users (mode ${mode.toString(8)}): run chmod 600 ${file}`);
  }
  return parseKey(fs.readFileSync(file, 'utf8'), `The secret key file ${file}`);
}

/** AES-256-GCM with a key from the environment or the key file of `dataDir` (read when first needed). */
export class KeySealer implements SecretSealer {
  readonly keySource: string;
  private readonly keyFile: string;
  private key: Buffer | undefined;

  constructor(
    dataDir: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.keySource = env[SECRET_KEY_ENV] ? `the ${SECRET_KEY_ENV} environment variable` : `the key file ${keyFileOf(dataDir)}`;
    this.keyFile = keyFileOf(dataDir);
  }

  private getKey(): Buffer {
    const fromEnv = this.env[SECRET_KEY_ENV];
    return (this.key ??= fromEnv ? parseKey(fromEnv, `The ${SECRET_KEY_ENV} environment variable`) : keyFromFile(this.keyFile));
  }

  seal(plain: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.getKey(), iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${AES}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${body.toString('base64')}`;
  }

  open(sealed: string): string {
    const parts = sealed.startsWith(AES) ? sealed.slice(AES.length).split(':') : [];
    if (parts.length !== 3) throw new AppError('internal', `A stored secret is not sealed with ${this.keySource}`);
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.getKey(), Buffer.from(parts[0]!, 'base64'));
      decipher.setAuthTag(Buffer.from(parts[1]!, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(parts[2]!, 'base64')), decipher.final()]).toString('utf8');
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('internal', `A stored secret cannot be decrypted with ${this.keySource}: it was sealed with another key; enter the secret again`);
    }
  }
}
