/**
 * The database restarted in the middle of a job (pg_ctl restart, every connection dropped): the engine's
 * store calls wait for the server and go on; the job completes with every instance committed, none failed
 * by the outage. The client's database is on a cluster of its own, so that the restart touches nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClient, type ClientHarness } from '../../../support/engine-harness';
import { startOrigin, type OriginHarness } from '../../../support/origin-harness';
import { startPostgres, type PgCluster } from '../../../support/postgres';

describe('PostgreSQL restarted mid-job', () => {
  let cluster: PgCluster;
  let client: ClientHarness;
  let archive: OriginHarness;

  beforeAll(async () => {
    cluster = await startPostgres();
    client = await startClient({ studies: 6, seriesPerStudy: 2, instancesPerSeries: 5 }, { database: await cluster.createDatabase() });
    // The archive: another Safekeep whose library holds the client's files.
    archive = await startOrigin({ library: { studies: 1, seriesPerStudy: 1, instancesPerSeries: 1 } });
    await archive.host.call('library-scan', { paths: [client.libraryDir] });
  });
  afterAll(async () => {
    await client?.close();
    await archive?.close();
    await cluster?.stop();
  });

  it('the job completes with every instance committed', async () => {
    const total = client.instances.length;
    // One instance per request, one request at a time: the job lasts long enough to be cut in the middle.
    const remoteId = await client.addRemote(`${archive.url}/dicomweb`, { auth: 'bearer', maxInstancesPerRequest: 1, concurrency: 1 }, 'alice-secret');
    const job = await client.commitAll(remoteId, 'flat', false);
    expect(job.requestIds).toHaveLength(total);

    const committed = async () => (await client.core.store.outgoing.totals()).instances.committed;
    await expect.poll(committed, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(3);
    const before = await committed();
    await cluster.restart();
    expect(before).toBeLessThan(total);

    await client.core.outgoing.waitFor(job.requestIds);
    const totals = await client.core.store.outgoing.totals();
    expect(totals.instances).toEqual({ total, committed: total, failed: 0, pending: 0 });
    expect(totals.requests).toEqual({ done: total });
  });
});
