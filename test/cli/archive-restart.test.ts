import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe } from '../support/cli';
import { startClient } from '../support/engine-harness';
import { tempDir } from '../support/fixtures';
import { freePort } from '../support/orthanc';

/** The archive (a Safekeep origin server) is killed and restarted while the engine polls it: the engine finishes. */
describe('archive restart mid-way', () => {
  const root = tempDir('safekeep-archive-restart-');
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('keeps polling through the outage and stores every outcome', async () => {
    const client = await startClient({ studies: 2, seriesPerStudy: 2, instancesPerSeries: 50 });
    const port = await freePort();
    const args = ['--data', path.join(root, 'archive'), '--library', client.libraryDir, '--token', 'x=archive-secret', '--sync-window', '0', '--port', String(port)];
    let archive = await startServe(args);
    try {
      const remote = await client.addRemote(`${archive.url}/dicomweb`, { auth: 'bearer', timeoutSeconds: 2 }, 'archive-secret');
      const job = await client.core.outgoing.engine.submit({ remoteId: remote, selection: { paths: [client.libraryDir] }, form: 'study' });
      // Every request accepted (202) and Working at the archive...
      await Promise.all(job.requestIds.map((id) => client.core.outgoing.engine.waitUntil(id, (r) => r.state === 'working' || r.state === 'done')));
      expect((await Promise.all(job.requestIds.map((id) => client.core.outgoing.read.get(id)))).some((r) => r.state === 'working')).toBe(true);
      archive.child.kill('SIGKILL');
      await archive.exited;
      // ...the archive is gone for a while...
      await new Promise((r) => setTimeout(r, 1500));
      archive = await startServe(args);
      // ...and back on the same port: the engine carries on.
      await client.core.outgoing.engine.waitFor(job.requestIds);
      for (const id of job.requestIds) {
        expect(await client.core.outgoing.read.get(id)).toMatchObject({ state: 'done', committedCount: 100, failedCount: 0, previousUids: [] });
      }
    } finally {
      archive.child.kill('SIGTERM');
      await archive.exited;
      await client.close();
    }
  });
});
