/**
 * `--database` on any command: a URL that is not postgres://, or a server that cannot be reached, stops the
 * command with exit code 2 and a clear message, the password never printed (PostgreSQL's own runs are in
 * test/core/store/pg/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliToEnd } from '../support/cli';
import { tempDir } from '../support/fixtures';

describe('safekeep --database', () => {
  const root = tempDir();
  const data = ['--data', path.join(root, 'data')];
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('refuses a URL that is not postgres:// (exit 2), before or after the command, without printing the password', async () => {
    for (const args of [['--database', 'mysql://u:hunter2@db/x', 'remote', 'list', ...data], ['remote', 'list', '--database', 'mysql://u:hunter2@db/x', ...data]]) {
      const r = await runCliToEnd(args, { SAFEKEEP_DATABASE_URL: '' });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/Invalid database URL mysql:\/\/u:\*\*\*@db\/x: use postgres:\/\//);
      expect(r.stdout + r.stderr).not.toContain('hunter2');
    }
  });

  it('a server out of reach: exit 2, saying which (password hidden); SAFEKEEP_DATABASE_URL the same', async () => {
    const flag = await runCliToEnd(['status', '--database', 'postgres://safekeep:hunter2@127.0.0.1:1/safekeep', ...data]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/The database postgres:\/\/safekeep:\*\*\*@127\.0\.0\.1:1\/safekeep is not reachable/);
    const env = await runCliToEnd(['status', ...data], { SAFEKEEP_DATABASE_URL: 'postgres://safekeep:hunter2@127.0.0.1:1/safekeep' });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/is not reachable/);
    expect(flag.stderr + env.stderr + flag.stdout + env.stdout).not.toContain('hunter2');
  });
});
