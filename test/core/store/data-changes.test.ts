/**
 * Every committed write of the store announces the tables it touched, from one place (the database the
 * repositories share), batched: one announcement per interval, nothing for a rolled-back or empty write.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DataTable } from '../../../src-shared/contract/events';
import { DATA_CHANGE_INTERVAL_MS, writtenTable } from '../../../src-main/core/store/changes';
import { openDb } from '../../../src-main/core/store/db';
import { sqliteStoreOf, type SqliteStore } from '../../../src-main/core/store/sqlite-store';
import { tempDir } from '../../support/fixtures';

const CT = '1.2.840.10008.5.1.4.1.1.2';

describe('data changes announced by the store', () => {
  let dir: string;
  let store: SqliteStore;
  let announced: DataTable[][];

  beforeEach(() => {
    vi.useFakeTimers();
    dir = tempDir();
    store = sqliteStoreOf(openDb(dir));
    announced = [];
    store.changes.subscribe((tables) => announced.push(tables));
  });
  afterEach(async () => {
    vi.useRealTimers();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const interval = () => vi.advanceTimersByTime(DATA_CHANGE_INTERVAL_MS);

  it('announces the tables of many writes once, in the contract order, after the interval', async () => {
    const remote = await store.remotes.save({ kind: 'dicomweb', name: 'PACS', config: { baseUrl: 'http://pacs/dicomweb' } }, 1);
    await store.settings.update({ retentionDays: 7 });
    // A job writes the jobs, requests and instances (outgoing) and the pending verdicts, in one transaction.
    const instance = { sopClassUid: CT, sopInstanceUid: '1.2.3.4', studyUid: '1.2.3', seriesUid: '1.2.3.1', filePath: '/lib/a' };
    await store.outgoing.createJob({
      remoteId: remote.id,
      remoteName: remote.name,
      label: 'job',
      form: 'flat',
      now: 2,
      requests: [{ transactionUid: '2.25.1', form: 'flat', studyUid: null, label: null, instances: [instance] }],
    });
    expect(announced).toEqual([]);
    interval();
    expect(announced).toEqual([['outgoing', 'verdicts', 'remotes', 'settings']]);
    // Nothing more to say until something else is written.
    interval();
    expect(announced).toHaveLength(1);
    await store.tokens.create('ui', 3);
    interval();
    expect(announced).toEqual([['outgoing', 'verdicts', 'remotes', 'settings'], ['tokens']]);
  });

  it('announces nothing for a write that changed no row, a rolled-back transaction, or what no host shows', async () => {
    expect(await store.outgoing.patch(999, { error: 'nobody' })).toBe(false);
    expect(() =>
      store.db.tx(() => {
        store.db.sql.prepare(`INSERT INTO settings (key, value) VALUES ('x', '1')`).run();
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    expect(await store.settings.get()).not.toHaveProperty('x');
    await store.sessions.create({ idHash: 'h', client: 'ui', tokenId: null, createdAt: 1, expiresAt: 2 });
    await store.unmatchedReports.record({ transactionUid: '2.25.9', callingAe: 'PACS', eventType: 1, committed: 0, failed: 0, why: 'unknown', payload: {}, now: 1 });
    interval();
    expect(announced).toEqual([]);
  });

  it('announces what is pending when the store closes, so the last writes are not lost', async () => {
    await store.library.addRoot('/lib', 1);
    await store.close();
    expect(announced).toEqual([['library']]);
    store = sqliteStoreOf(openDb(dir)); // afterEach closes it
  });

  it('refuses a write to a table it cannot name (a new table must be mapped first)', () => {
    expect(writtenTable('SELECT * FROM outgoing')).toBeUndefined();
    expect(writtenTable(`UPDATE outgoing_instances SET outcome = 'failed'`)).toBe('outgoing');
    expect(writtenTable('INSERT OR IGNORE INTO library_roots (path) VALUES (?)')).toBe('library');
    expect(writtenTable('DELETE FROM browser_sessions')).toBeNull();
    store.db.sql.exec('CREATE TABLE scratch (x)');
    expect(() => store.db.sql.prepare('INSERT INTO scratch (x) VALUES (1)')).toThrow(/writes table "scratch", which store\/changes\.ts does not map/);
  });

  it('a transaction cannot wait inside (a server database could not hold it open across awaits)', async () => {
    expect(() => store.db.tx(() => Promise.resolve(1) as never)).toThrow(/synchronous function/);
    // Rolled back: the store still takes writes.
    await store.settings.update({ retentionDays: 3 });
    expect((await store.settings.get()).retentionDays).toBe(3);
  });
});
