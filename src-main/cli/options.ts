import { defaultDataDir } from '../core/paths';
import { usageError } from './errors';

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw usageError(`Invalid port "${value}": use a number from 0 to 65535`);
  return n;
}

export function parsePositiveNumber(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw usageError(`Invalid ${what} "${value}": use a number of 0 or more`);
    return n;
  };
}

export function parseNamedToken(value: string): { client: string; secret: string } {
  const eq = value.indexOf('=');
  const client = value.slice(0, eq);
  const secret = value.slice(eq + 1);
  if (eq <= 0 || !secret || !/^[A-Za-z0-9._@-]{1,64}$/.test(client) || /\s/.test(secret)) {
    throw usageError(`Invalid --token "${value.replace(/=.*/, '=…')}": use NAME=SECRET (NAME of letters, digits, . _ @ -; SECRET without spaces)`);
  }
  return { client, secret };
}

export function dataDirOf(o: { data?: string }): string {
  return o.data ?? defaultDataDir();
}

export function parsePositiveInt(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw usageError(`Invalid ${what} "${value}": use a whole number of 1 or more`);
    return n;
  };
}

/** "AET@HOST:PORT" (a DIMSE peer or archive). */
export function parseAeAddress(value: string, what = '--peer'): { aeTitle: string; host: string; port: number } {
  const m = /^([^@\\]{1,16})@([^:@]+):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535 || !m[1]!.trim()) {
    throw usageError(`Invalid ${what} "${value}": use AET@HOST:PORT (AE title of at most 16 characters)`);
  }
  return { aeTitle: m[1]!, host: m[2]!, port };
}

export function parseAeTitle(value: string): string {
  if (!/^[\x20-\x5b\x5d-\x7e]{1,16}$/.test(value) || !value.trim()) {
    throw usageError(`Invalid AE title "${value}": 1 to 16 printable characters without backslash`);
  }
  return value;
}
