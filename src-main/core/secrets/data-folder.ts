import fs from 'node:fs';
import { AppError } from '../../../src-shared/contract/errors';

/**
 * The data folder holds the database (patients' study metadata, sealed secrets) and uploads: Safekeep creates it
 * 0700 and refuses one that other users can enter, read or write, with what to do about it.
 */
export function checkDataFolder(dataDir: string): void {
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = fs.statSync(dataDir).mode & 0o777;
  } catch {
    return; // not there yet: the store creates it 0700
  }
  if (mode & 0o077) {
    throw new AppError('forbidden', `The data folder ${dataDir} is open to other users (mode ${mode.toString(8).padStart(3, '0')}): run chmod 700 ${dataDir}`);
  }
}
