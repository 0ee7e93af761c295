import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHost } from '../../../src-main/core/host/host';
import { answerFor, startFaultServer } from '../../support/fault-server';
import { makeLibrary, tempDir } from '../../support/fixtures';

/**
 * Starting the outgoing engine does not, on its own, carry on what earlier runs left in flight: a host that
 * sends its own job (`commit`, `resend`) drives only its own requests; resuming is the explicit 'all' start of
 * `resume`, `serve` and the app.
 */
describe('what the outgoing engine drives', () => {
  let root: string;
  let lib: string;
  let archive: Awaited<ReturnType<typeof startFaultServer>>;
  let earlier: number[];
  let remoteId: number;

  beforeAll(async () => {
    root = tempDir('safekeep-scope-');
    lib = path.join(root, 'lib');
    makeLibrary(lib, { studies: 2, seriesPerStudy: 1, instancesPerSeries: 2 });
    archive = await startFaultServer((req, { posted }) => answerFor(posted.get(req.uid)!));
    // An earlier run submitted a job and stopped before anything was sent.
    const host = await openHost({ dataDir: path.join(root, 'data') });
    try {
      await host.call('library-scan', { paths: [lib] });
      remoteId = (await host.call('remotes-save', { input: { kind: 'dicomweb', name: 'archive', config: { baseUrl: archive.url } } })).id;
      earlier = (await host.call('outgoing-create', { remoteId, selection: { paths: [lib] }, form: 'study' })).requestIds;
    } finally {
      await host.stop();
    }
  });
  afterAll(async () => {
    await archive.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("'own' (commit, resend): sends its own job and leaves the earlier one queued", async () => {
    const host = await openHost({ dataDir: path.join(root, 'data') });
    try {
      expect((await host.start({ outgoing: 'own' })).resumedOutgoing).toBe(0);
      const mine = await host.call('outgoing-create', { remoteId, selection: { paths: [lib] }, form: 'flat' });
      await host.core.outgoing.waitFor(mine.requestIds);
      expect(await host.call('outgoing-get', { id: mine.requestIds[0]! })).toMatchObject({ state: 'done', committedCount: 4 });
      for (const id of earlier) expect(await host.call('outgoing-get', { id })).toMatchObject({ state: 'queued', attempts: 0 });
      expect(archive.seen.map((s) => s.uid)).toEqual([(await host.call('outgoing-get', { id: mine.requestIds[0]! })).transactionUid]);
    } finally {
      await host.stop();
    }
  });

  it("'all' (resume, serve, the app): carries on the earlier job", async () => {
    const host = await openHost({ dataDir: path.join(root, 'data') });
    try {
      expect((await host.start({ outgoing: 'all' })).resumedOutgoing).toBe(earlier.length);
      await host.core.outgoing.waitFor(earlier);
      for (const id of earlier) expect(await host.call('outgoing-get', { id })).toMatchObject({ state: 'done', committedCount: 2 });
    } finally {
      await host.stop();
    }
  });
});
