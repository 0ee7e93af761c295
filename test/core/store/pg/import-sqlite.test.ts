/**
 * A workstation moving to a shared PostgreSQL database keeps what it verified: `safekeep import-sqlite` copies
 * its SQLite store into an empty database, after which the same commands on that database give the same report,
 * the same job list and library, and new jobs carry on (ids after the copied ones). A database that already
 * holds data is refused, untouched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHost } from '../../../../src-main/core/host/host';
import { redactDatabaseUrl } from '../../../../src-main/core/store/database-url';
import { runCliToEnd } from '../../../support/cli';
import { answerFor, startFaultServer } from '../../../support/fault-server';
import { makeLibrary, tempDir, type GeneratedInstance } from '../../../support/fixtures';
import { createTestDatabase } from '../../../support/postgres';

/** Every command of this file names its store itself: SQLite (no database) or --database. */
const NO_ENV = { SAFEKEEP_DATABASE_URL: '' };

describe('safekeep import-sqlite', () => {
  let root: string;
  let lib: string;
  let data: string;
  let instances: GeneratedInstance[];
  let fault: Awaited<ReturnType<typeof startFaultServer>>;
  beforeAll(async () => {
    root = tempDir('safekeep-import-');
    lib = path.join(root, 'lib');
    data = path.join(root, 'data');
    instances = makeLibrary(lib, { studies: 2, seriesPerStudy: 1, instancesPerSeries: 3 });
    const missing = instances[0]!.sopInstanceUid; // the archive lacks one: a failed verdict to carry over
    fault = await startFaultServer((req, { posted }) => answerFor(posted.get(req.uid)!, (i) => (i.sopInstanceUid === missing ? 0x0112 : null)), {
      known: new Set(instances.map((i) => i.sopInstanceUid)), // the remote's probe (unknown UIDs) is answered too
    });
  });
  afterAll(async () => {
    await fault?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('copies a SQLite history into an empty database: the same report and library there, and new jobs carry on', async () => {
    // The workstation's history, in SQLite.
    const commit = await runCliToEnd(['commit', lib, '--to', fault.url, '--data', data, '--quiet'], NO_ENV);
    expect(commit.code).toBe(1);
    const before = await runCliToEnd(['report', '--data', data], NO_ENV);
    expect(before.code).toBe(0);
    expect(before.stdout.split('\n').filter(Boolean)).toHaveLength(1 + instances.length);

    const url = await createTestDatabase();
    const imported = await runCliToEnd(['--database', url, 'import-sqlite', '--data', data, '--json'], NO_ENV);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const summary = JSON.parse(imported.stdout) as { rows: number; tables: { table: string; rows: number }[]; database: string };
    const rows = Object.fromEntries(summary.tables.map((t) => [t.table, t.rows]));
    expect(rows).toMatchObject({ library_files: instances.length, library_roots: 1, jobs: 1, verdicts: instances.length, remotes: 1 });
    expect(summary.database).not.toContain(new URL(url).password || '\0');

    // On the database: the same verdict report, line for line, and the library is this node's, unchanged.
    const after = await runCliToEnd(['--database', url, 'report', '--data', data], NO_ENV);
    expect(after.code).toBe(0);
    expect(after.stdout).toBe(before.stdout);
    const scan = await runCliToEnd(['--database', url, 'scan', lib, '--data', data, '--json'], NO_ENV);
    expect(JSON.parse(scan.stdout)).toMatchObject({ instances: instances.length, scan: { unchanged: instances.length, indexed: 0 } });

    // A new job on the database: its ids follow the copied ones (no clash with an imported row).
    const again = await runCliToEnd(['--database', url, 'commit', lib, '--to', fault.url, '--data', data, '--quiet', '--json'], NO_ENV);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ jobId: 2 });
    const status = await runCliToEnd(['--database', url, 'status', '--json', '--data', data], NO_ENV);
    const requests = (JSON.parse(status.stdout) as { requests: { id: number; jobId: number }[] }).requests;
    expect(new Set(requests.map((r) => r.jobId))).toEqual(new Set([1, 2]));
    expect(new Set(requests.map((r) => r.id)).size).toBe(requests.length);
  });

  it('without --json says what it copies before it starts, then each table with its rows, never the password', async () => {
    const dir = path.join(root, 'scanned');
    expect((await runCliToEnd(['scan', lib, '--data', dir, '--json'], NO_ENV)).code).toBe(0);
    const url = await createTestDatabase();
    const r = await runCliToEnd(['--database', url, 'import-sqlite', '--data', dir], NO_ENV);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`Copying the SQLite store of ${dir} into ${redactDatabaseUrl(url)}, table by table, in one transaction…`);
    expect(lines).toContain(`  library_files: ${instances.length} row(s)`);
    expect(lines).toContain('  library_roots: 1 row(s)');
    expect(r.stdout).toMatch(/^Imported \d+ row\(s\) from .*safekeep\.sqlite into postgres:\/\//m);
    const password = new URL(url).password;
    if (password) expect(r.stdout).not.toContain(password);
  });

  it('refuses a database that already holds data (exit 2, nothing written), and says which database to name', async () => {
    const url = await createTestDatabase();
    const other = path.join(root, 'other');
    expect((await runCliToEnd(['--database', url, 'scan', lib, '--data', other, '--json'], NO_ENV)).code).toBe(0);
    const refused = await runCliToEnd(['--database', url, 'import-sqlite', '--data', data], NO_ENV);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already holds data: .*library_files \(6\)/);
    const unnamed = await runCliToEnd(['import-sqlite', '--data', data], NO_ENV);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toMatch(/Name the PostgreSQL database to import into/);
    const nothing = await runCliToEnd(['--database', await createTestDatabase(), 'import-sqlite', '--data', path.join(root, 'empty')], NO_ENV);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/No SQLite store to import/);
  });

  it('Settings → Database with the history: copied at the next start, once; a database holding data is refused and the start goes on', async () => {
    const dir = path.join(root, 'workstation');
    expect((await runCliToEnd(['commit', lib, '--to', fault.url, '--data', dir, '--quiet'], NO_ENV)).code).toBe(1);
    const url = await createTestDatabase();
    const open = () => openHost({ dataDir: dir, authEnabled: false });

    const first = await open();
    const saved = await first.call('settings-database', { url, importHistory: true });
    expect(saved.database).toMatchObject({ importAtStart: true, lastImport: null });
    await first.stop();

    // The next start copies the SQLite history into the database before using it.
    const second = await open();
    const view = (await second.call('settings-get', {})).database;
    expect(view).toMatchObject({ source: 'data-folder', importAtStart: false, lastImport: { rows: expect.any(Number), error: null } });
    expect(view.lastImport!.rows).toBeGreaterThan(2 * instances.length);
    expect((await second.call('outgoing-list', { limit: 10, offset: 0 })).total).toBe(2);
    expect(await second.call('library-summary', {})).toMatchObject({ instances: instances.length });
    await second.stop();

    // Once only: the next start finds the database as it left it.
    const third = await open();
    expect((await third.call('settings-get', {})).database.lastImport).toEqual(view.lastImport);
    expect((await third.call('outgoing-list', { limit: 10, offset: 0 })).total).toBe(2);
    // Asked again, into a database that now holds data: refused, said in Settings, and the start goes on.
    await third.call('settings-database', { url, importHistory: true });
    await third.stop();
    const fourth = await open();
    try {
      expect((await fourth.call('settings-get', {})).database.lastImport).toMatchObject({ rows: null, error: expect.stringMatching(/already holds data/) });
      expect((await fourth.call('outgoing-list', { limit: 10, offset: 0 })).total).toBe(2);
    } finally {
      await fourth.stop();
    }
  });
});
