/**
 * The PostgreSQL store itself, on the run's throwaway cluster: migrations applied once when several nodes
 * start together, a second open changes nothing, a newer schema is refused, a Transaction UID raced by two
 * nodes is taken once, every write announced, and a bad URL or a server out of reach is a clear error.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { redactDatabaseUrl } from '../../../../src-main/core/store/database-url';
import { PgDb } from '../../../../src-main/core/store/pg/db';
import { migratePg } from '../../../../src-main/core/store/pg/migrate';
import { PG_MIGRATIONS } from '../../../../src-main/core/store/pg/migrations';
import { openPgStore, type PgStore } from '../../../../src-main/core/store/pg/store';
import { openStore } from '../../../../src-main/core/store/open-store';
import type { DataTable } from '../../../../src-shared/contract/events';
import { createTestDatabase } from '../../../support/postgres';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function open(url: string): Promise<PgStore> {
  const s = await openPgStore(url);
  opened.push(s);
  return s;
}

async function query<R>(url: string, sql: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as R[];
  } finally {
    await c.end();
  }
}

describe('PostgreSQL store', () => {
  it('nodes starting together: every migration is applied exactly once, and each node finds the schema complete', async () => {
    const url = await createTestDatabase();
    const nodes = Array.from({ length: 4 }, () => new PgDb(url, { max: 2 }));
    opened.push(...nodes);
    await Promise.all(nodes.map((db) => migratePg(db)));
    const applied = await query<{ version: number }>(url, 'SELECT version FROM safekeep_schema ORDER BY version');
    expect(applied.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((_, k) => k + 1));
    const tables = await query<{ t: string }>(url, `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    expect(tables.map((r) => r.t)).toEqual(
      expect.arrayContaining(['incoming', 'outgoing', 'outgoing_instances', 'verdicts', 'resend_runs', 'store_outcomes', 'remotes', 'settings']),
    );
  });

  it('a second open changes nothing; a schema newer than this Safekeep is refused', async () => {
    const url = await createTestDatabase();
    await (await open(url)).close();
    const before = await query<{ version: number; applied_at: string }>(url, 'SELECT version, applied_at FROM safekeep_schema ORDER BY version');
    await (await open(url)).settings.update({ retentionDays: 9 });
    expect(await query(url, 'SELECT version, applied_at FROM safekeep_schema ORDER BY version')).toEqual(before);
    await query(url, `INSERT INTO safekeep_schema (version, applied_at) VALUES (${PG_MIGRATIONS.length + 1}, 0)`);
    await expect(openPgStore(url)).rejects.toThrow(/newer than this Safekeep/);
  });

  it('two nodes racing on one Transaction UID: exactly one stores it, the other is told it is a duplicate', async () => {
    const url = await createTestDatabase();
    const [a, b] = [await open(url), await open(url)];
    const tx = (uid: string, n: number) => ({
      transactionUid: uid,
      source: 'dicomweb' as const,
      client: `node${n}`,
      requester: '127.0.0.1:1',
      mediaType: 'application/dicom+json',
      policy: 'library',
      instances: Array.from({ length: n }, (_, k) => ({ form: 'flat' as const, sopClassUid: CT, sopInstanceUid: `1.2.3.${k}` })),
      receivedAt: 1,
    });
    for (let round = 0; round < 5; round++) {
      const uid = `2.25.77${round}`;
      const both = await Promise.all([a.incoming.create(tx(uid, 2)), b.incoming.create(tx(uid, 3))]);
      expect(both.filter((r) => r.created)).toHaveLength(1);
      expect(both.filter((r) => !r.created)).toEqual([{ created: false, why: 'duplicate' }]);
      expect((await b.incoming.get(uid))?.instanceCount).toBe(both[0]!.created ? 2 : 3);
    }
  });

  it('announces the tables of every committed write, not those of a rolled-back one', async () => {
    const store = await open(await createTestDatabase());
    const announced: DataTable[][] = [];
    store.changes.subscribe((t) => announced.push(t));
    const remote = await store.remotes.save({ kind: 'dicomweb', name: 'PACS', config: { baseUrl: 'http://pacs/dicomweb' } }, 1);
    const instance = { sopClassUid: CT, sopInstanceUid: '1.2.3.4', studyUid: '1.2.3', seriesUid: '1.2.3.1', filePath: '/lib/a' };
    await store.outgoing.createJob({
      remoteId: remote.id,
      remoteName: remote.name,
      label: 'job',
      form: 'flat',
      now: 2,
      requests: [{ transactionUid: '2.25.1', form: 'flat', studyUid: null, label: null, instances: [instance] }],
    });
    await expect(store.remotes.save({ kind: 'dicomweb', name: 'PACS', config: { baseUrl: 'http://other/dicomweb' } }, 3)).rejects.toMatchObject({ code: 'conflict' });
    store.changes.flush();
    expect(announced).toEqual([['outgoing', 'verdicts', 'remotes']]);
    expect(await store.outgoing.patch(999, { error: 'nobody' })).toBe(false);
    await store.tokens.create('ui', 4);
    store.changes.flush();
    expect(announced.slice(1)).toEqual([['tokens']]);
  });

  it('a URL that is not postgres://, or a server out of reach: a clear error with the password hidden', async () => {
    await expect(openStore({ dataDir: '/nonexistent', database: 'mysql://u:hunter2@db/x' })).rejects.toMatchObject({
      code: 'bad-request',
      message: expect.not.stringContaining('hunter2'),
    });
    const refused = openStore({ dataDir: '/nonexistent', database: 'postgres://u:hunter2@127.0.0.1:1/x' });
    await expect(refused).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x is not reachable/) });
    expect(redactDatabaseUrl('postgres://db/x?user=u&password=hunter2')).toBe('postgres://db/x?user=u&password=***');
  });
});
