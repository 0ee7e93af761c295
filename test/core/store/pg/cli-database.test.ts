/**
 * Two nodes (two data folders) naming one database with `--database`: what one stores, the other reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliToEnd } from '../../../support/cli';
import { tempDir } from '../../../support/fixtures';
import { createTestDatabase } from '../../../support/postgres';

describe('safekeep --database postgres://…', () => {
  const root = tempDir();
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('two data folders on one database see the same remotes', async () => {
    const database = await createTestDatabase();
    // Both nodes seal secrets with the same key (docs/deployment.md).
    const env = { SAFEKEEP_SECRET_KEY: 'ab'.repeat(32) };
    const a = await runCliToEnd(['--database', database, 'remote', 'add', 'vna', '--url', 'http://vna.test/dicomweb', '--token', 'tok', '--data', path.join(root, 'a')], env);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const b = await runCliToEnd(['remote', 'list', '--json', '--database', database, '--data', path.join(root, 'b')], env);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout)).toEqual([expect.objectContaining({ name: 'vna', kind: 'dicomweb', hasSecret: true })]);
    // Neither node made a SQLite store of its own.
    expect(fs.existsSync(path.join(root, 'a', 'safekeep.sqlite'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'b', 'safekeep.sqlite'))).toBe(false);
  });
});
