/**
 * A claim made while another transaction writes the same row (this node's own heartbeat renewing its leases,
 * or another node's claim) waits for it and decides on the row as it was left: the holder keeps its work, and
 * is never told "someone else holds it" because its own heartbeat happened to be running (CI saw a request
 * wait a whole heartbeat for that).
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPgStore } from '../../../../src-main/core/store/pg/store';
import type { Store } from '../../../../src-main/core/store/ports';
import { createTestDatabase } from '../../../support/postgres';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const T0 = Date.UTC(2026, 0, 1);

describe('PostgreSQL leases under a concurrent write of the same row', () => {
  let store: Store;
  let raw: pg.Client;
  beforeEach(async () => {
    const url = await createTestDatabase();
    store = await openPgStore(url);
    raw = new pg.Client({ connectionString: url });
    await raw.connect();
  });
  afterEach(async () => {
    await raw.end();
    await store.close();
  });

  async function oneRequest(): Promise<number> {
    const { requestIds } = await store.outgoing.createJob({
      remoteId: 1,
      remoteName: 'pacs',
      label: 'job',
      form: 'flat',
      now: T0,
      requests: [{ transactionUid: '2.25.4242', form: 'flat', studyUid: null, label: null, instances: [{ sopClassUid: CT, sopInstanceUid: '1.2.3.4', studyUid: null, seriesUid: null, filePath: null }] }],
    });
    return requestIds[0]!;
  }

  /**
   * Runs `sql` in an open transaction (as a heartbeat's renew does) and keeps the row locked for `ms` before it
   * commits. `locked` resolves once the row is locked, `committed` once the transaction is over.
   */
  function holdRow(sql: string, args: unknown[], ms: number): { locked: Promise<void>; committed: Promise<void> } {
    const locked = raw.query('BEGIN').then(() => raw.query(sql, args)).then(() => undefined);
    const committed = locked.then(() => new Promise((r) => setTimeout(r, ms))).then(() => raw.query('COMMIT')).then(() => undefined);
    return { locked, committed };
  }

  it("the holder's claim during its own heartbeat waits for it and keeps the request", async () => {
    const id = await oneRequest();
    expect(await store.leases.claimRequest(id, 'node-a', T0, T0 + 30_000)).toBe(true);
    let committed = false;
    const held = holdRow(`UPDATE outgoing SET lease_until = $1 WHERE lease_owner = $2`, [T0 + 40_000, 'node-a'], 300);
    void held.committed.then(() => (committed = true));
    await held.locked; // the renew holds the row now
    const claimed = await store.leases.claimRequest(id, 'node-a', T0 + 1_000, T0 + 31_000);
    expect(committed).toBe(true); // it waited for the renew rather than answering at once
    expect(claimed).toBe(true);
    await held.committed;
    expect((await store.outgoing.get(id)).leaseOwner).toBe('node-a');
  });

  it("another node's claim during the holder's heartbeat waits, then sees the renewed lease and leaves it", async () => {
    const id = await oneRequest();
    expect(await store.leases.claimRequest(id, 'node-a', T0, T0 + 30_000)).toBe(true);
    // Node B claims at T0 + 35 s: the old lease ran out, but the renew in progress extends it to T0 + 60 s.
    const held = holdRow(`UPDATE outgoing SET lease_until = $1 WHERE lease_owner = $2`, [T0 + 60_000, 'node-a'], 300);
    await held.locked;
    expect(await store.leases.claimRequest(id, 'node-b', T0 + 35_000, T0 + 65_000)).toBe(false);
    await held.committed;
    expect((await store.outgoing.get(id)).leaseOwner).toBe('node-a');
  });

  it('the same for the deciding of a Working incoming transaction', async () => {
    await store.incoming.create({
      transactionUid: '2.25.99',
      source: 'dicomweb',
      client: 'x',
      requester: 'y',
      mediaType: null,
      policy: 'library',
      instances: [{ form: 'flat', sopClassUid: CT, sopInstanceUid: '1.2.3.6' }],
      receivedAt: T0,
    });
    expect(await store.leases.claimIncoming('2.25.99', 'node-a', T0, T0 + 30_000)).toBe(true);
    const held = holdRow(`UPDATE incoming SET lease_until = $1 WHERE lease_owner = $2`, [T0 + 40_000, 'node-a'], 300);
    await held.locked;
    expect(await store.leases.claimIncoming('2.25.99', 'node-a', T0 + 1_000, T0 + 31_000)).toBe(true);
    await held.committed;
  });
});
