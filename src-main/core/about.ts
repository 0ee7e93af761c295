import os from 'node:os';
import pkg from '../../package.json';

/** Safekeep's version, from package.json (bundled at build time). */
export const SAFEKEEP_VERSION: string = pkg.version;

/** The OS user running Safekeep: the operator named on a report's sign-off. */
export function operatorName(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment is all there is.
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}
