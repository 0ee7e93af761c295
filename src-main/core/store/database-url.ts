import { AppError } from '../../../src-shared/contract/errors';
import { redactUrls } from '../../../src-shared/redact';

/**
 * Where the store is: SQLite in the data folder (no URL), or a PostgreSQL server named by a URL
 * (postgres://user:password@host:port/database). The URL carries a password: every message that names
 * the database shows it through `redactDatabaseUrl`, never as given.
 */

const POSTGRES = /^postgres(?:ql)?:\/\//i;

/** The URL with its password (user info, or a password parameter) replaced by ***. */
export function redactDatabaseUrl(url: string): string {
  return redactUrls(url).replace(/([?&]password=)[^&]*/gi, '$1***');
}

/**
 * Checks that `url` names a PostgreSQL database; the same text back. Refused (bad-request) otherwise,
 * without echoing a password.
 */
export function checkDatabaseUrl(url: string): string {
  const usage = 'use postgres://host:port/database, with user:password@ before the host';
  if (!POSTGRES.test(url)) throw new AppError('bad-request', `Invalid database URL ${redactDatabaseUrl(url)}: ${usage}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('bad-request', `Invalid database URL ${redactDatabaseUrl(url)}: ${usage} (user and password percent-encoded)`);
  }
  if (!parsed.hostname || parsed.pathname.length <= 1) {
    throw new AppError('bad-request', `Invalid database URL ${redactDatabaseUrl(url)}: ${usage} (host and database name required)`);
  }
  return url;
}
