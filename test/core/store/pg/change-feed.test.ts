/**
 * Live across nodes on PostgreSQL: a write on one node reaches the other node's hosts as data-changed
 * (LISTEN/NOTIFY), a node ignores its own notifications, and the listener comes back after its connection
 * was killed (as in a database restart), announcing every table once.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA_TABLES, type DataTable } from '../../../../src-shared/contract/events';
import { pgChangeFeedOf, type PgChangeFeed } from '../../../../src-main/core/store/pg/change-feed';
import { openPgStore, type PgStore } from '../../../../src-main/core/store/pg/store';
import { createTestDatabase } from '../../../support/postgres';
import { openHost } from '../../../../src-main/core/host/host';
import { tempDir } from '../../../support/fixtures';

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the PostgreSQL change feed (LISTEN/NOTIFY)', () => {
  let url: string;
  let a: PgStore;
  let b: PgStore;
  let feedA: PgChangeFeed;
  let feedB: PgChangeFeed;
  const heardA: DataTable[][] = [];
  const heardB: DataTable[][] = [];
  beforeEach(async () => {
    url = await createTestDatabase();
    a = await openPgStore(url);
    b = await openPgStore(url);
    heardA.length = heardB.length = 0;
    feedA = pgChangeFeedOf(a, (t) => heardA.push(t))!;
    feedB = pgChangeFeedOf(b, (t) => heardB.push(t))!;
    await feedA.start();
    await feedB.start();
  });
  afterEach(async () => {
    await feedA.stop();
    await feedB.stop();
    await a.close();
    await b.close();
  });

  it("a write on node A reaches node B as the tables it touched; node A does not hear its own", async () => {
    await a.settings.update({ retentionDays: 7 });
    await a.tokens.create('alice', Date.now());
    a.changes.flush();
    await until(() => heardB.flat().includes('tokens'), 'node B to hear of the tokens');
    expect(new Set(heardB.flat())).toEqual(new Set(['settings', 'tokens']));
    // B's own write goes to A, and A still heard nothing of its own.
    await b.nodes.register({ id: 'b', name: 'b', version: '1', addresses: [], now: 1 });
    b.changes.flush();
    await until(() => heardA.length > 0, 'node A to hear of the node registry');
    expect(heardA).toEqual([['nodes']]);
  });

  it('the listener reconnects after its connection was killed, and then announces every table (what it missed is unknown)', async () => {
    expect(feedB.listening).toBe(true);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'safekeep-listen' AND datname = current_database()`);
      expect(killed.rowCount).toBe(2);
    } finally {
      await admin.end();
    }
    await until(() => heardB.some((t) => t.length === DATA_TABLES.length), 'node B to listen again');
    expect(feedB.listening).toBe(true);
    // And it hears node A again.
    await until(() => feedA.listening, 'node A to listen again');
    heardB.length = 0;
    await a.tokens.create('bob', Date.now());
    a.changes.flush();
    await until(() => heardB.flat().includes('tokens'), 'node B to hear of the tokens after the reconnection');
  });

  it("wired by the host: node B's screens hear of a remote saved on node A (each node its own data folder)", async () => {
    const hostA = await openHost({ dataDir: tempDir(), database: url, authEnabled: false });
    const hostB = await openHost({ dataDir: tempDir(), database: url, authEnabled: false });
    try {
      const seen: DataTable[][] = [];
      hostB.events.on('data-changed', ({ tables }) => seen.push(tables));
      await hostA.call('remotes-save', { input: { kind: 'dicomweb', name: 'pacs', config: { baseUrl: 'http://127.0.0.1:9/dicomweb' }, secret: null } });
      await until(() => seen.flat().includes('remotes'), 'node B to hear of the remote');
      expect((await hostB.call('remotes-list', {})).map((r) => r.name)).toEqual(['pacs']);
    } finally {
      await hostA.stop();
      await hostB.stop();
    }
  });
});
