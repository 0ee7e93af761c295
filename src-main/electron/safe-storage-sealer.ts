import type { SafeStorage } from 'electron';
import { AppError } from '../../src-shared/contract/errors';
import type { SecretSealer } from '../core/secrets/sealer';

export type SafeStorageParts = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'>;

const PREFIX = 'sealed:os1:';

/** The desktop app's remote secrets sealed by the operating system's keychain (Electron's safeStorage). */
export function safeStorageSealer(s: SafeStorageParts): SecretSealer {
  return {
    keySource: "the operating system's keychain (Electron safeStorage)",
    seal: (plain) => `${PREFIX}${s.encryptString(plain).toString('base64')}`,
    open: (sealed) => {
      if (!sealed.startsWith(PREFIX)) throw new AppError('internal', 'A stored secret was sealed outside the desktop app (key file or SAFEKEEP_SECRET_KEY): enter it again');
      return s.decryptString(Buffer.from(sealed.slice(PREFIX.length), 'base64'));
    },
  };
}
