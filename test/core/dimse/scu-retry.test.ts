/**
 * Safekeep as commitment SCU when the archive misbehaves: the archive is another DimseListener
 * on loopback (real sockets, real dcmjs-dimse; no mocks). A failed association is retried, under
 * a new Transaction UID once the N-ACTION may have arrived; a late report for the old UID still
 * completes the request; a permanent rejection is final, with the fix; a report that does not
 * come makes the request say what the archive must reach.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_WORK, openHost, type Host } from '../../../src-main/core/host/host';
import { DimseListener, type ListenerHandlers } from '../../../src-main/core/dimse/listener';
import { sendCommitmentReport } from '../../../src-main/core/dimse/scu';
import { makeLibrary, tempDir, type GeneratedInstance } from '../../support/fixtures';
import { startDimse } from '../../support/host';
import { freePort } from '../../support/orthanc';
import { deferred } from './dimse-fixtures';

const RETRY = { baseMs: 200, maxMs: 400 };

async function archive(port: number, handlers: Partial<ListenerHandlers>): Promise<DimseListener> {
  const l = new DimseListener({
    aeTitle: 'ARCHIVE',
    host: '127.0.0.1',
    port,
    handlers: { admit: () => null, onNAction: async () => 0, onEventReport: async () => 0, ...handlers },
  });
  await l.start();
  return l;
}

describe('outgoing DIMSE requests against a misbehaving archive', () => {
  let root: string;
  let host: Host;
  let inst: GeneratedInstance;
  let listenerPort: number;
  const lib = () => path.join(root, 'lib');

  beforeAll(async () => {
    root = tempDir('safekeep-retry-');
    inst = makeLibrary(lib(), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 1 })[0]!;
    host = await openHost({ dataDir: path.join(root, 'data'), dimseRetry: RETRY });
    await host.core.store.settings.update({ dimse: { port: 0 } });
    await host.call('library-scan', { paths: [lib()] });
    await host.start(ALL_WORK);
    listenerPort = (await startDimse(host, { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: 0, peers: [] })).port;
  });
  afterAll(async () => {
    await host?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const remote = async (port: number, name: string) =>
    (await host.core.store.remotes.save({ kind: 'dimse', name, config: { aeTitle: 'ARCHIVE', host: '127.0.0.1', port, callingAeTitle: 'SAFEKEEP', timeoutSeconds: 10 } }, Date.now())).id;
  const submit = async (remoteId: number | Promise<number>) =>
    (await host.core.outgoing.engine.submit({ remoteId: await remoteId, selection: { paths: [lib()] }, form: 'flat' })).requestIds[0]!;

  it('connection closed after the N-ACTION: retried under a new UID; the late report for the old UID completes the request', async () => {
    const port = await freePort();
    const firstUid = deferred<string>();
    // The first archive takes the N-ACTION and never answers; then it goes away (a restart).
    const first = await archive(port, { onNAction: (req) => (firstUid.resolve(req.transactionUid), new Promise<number>(() => {})) });
    const id = await submit(remote(port, 'restarting'));
    const oldUid = await firstUid.promise;
    const errors: string[] = [];
    const off = host.events.on('data-changed', ({ tables }) => {
      if (!tables.includes('outgoing')) return;
      void host.core.outgoing.read.get(id).then(({ error: e }) => {
        if (e && !errors.includes(e)) errors.push(e);
      });
    });
    await first.stop();
    const secondUids: string[] = [];
    const second = await archive(port, { onNAction: async (req) => (secondUids.push(req.transactionUid), 0) });
    try {
      const waiting = await host.core.outgoing.engine.waitUntil(id, (r) => r.state === 'working');
      expect(waiting.previousUids).toEqual([oldUid]);
      expect(waiting.transactionUid).not.toBe(oldUid);
      expect(secondUids).toEqual([waiting.transactionUid]);
      expect(errors[0]).toMatch(/^connection to ARCHIVE at 127\.0\.0\.1:\d+ closed unexpectedly; retry 1 at \d\d:\d\d:\d\d; the archive must list SAFEKEEP at 127\.0\.0\.1:\d+ as a known AE if this keeps happening$/);
      expect(waiting).toMatchObject({ failedCount: 0, error: null });

      // The archive's report for the first N-ACTION arrives late.
      const report = { transactionUid: oldUid, committed: [{ sopClassUid: inst.sopClassUid, sopInstanceUid: inst.sopInstanceUid }], failed: [] };
      const { status } = await sendCommitmentReport({ callingAeTitle: 'ARCHIVE', called: { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: listenerPort }, timeoutMs: 5000, report });
      expect(status).toBe(0);
      const done = await host.core.outgoing.engine.waitUntil(id, (r) => r.state === 'done');
      expect(done).toMatchObject({ committedCount: 1, failedCount: 0 });
      expect(await host.core.store.unmatchedReports.list()).toEqual([]);
    } finally {
      off();
      await second.stop();
    }
  });

  it('a permanent A-ASSOCIATE-RJ is final, with the fix in words', async () => {
    const port = await freePort();
    const strict = await archive(port, { admit: () => 'not configured' });
    try {
      const id = await submit(remote(port, 'strict'));
      const r = await host.core.outgoing.engine.waitUntil(id, (x) => x.state === 'failed');
      expect(r.error).toBe(
        `association rejected by ARCHIVE (calling AE title not recognized, permanent): the archive must list SAFEKEEP at 127.0.0.1:${listenerPort} as a known AE`,
      );
      expect(r.failedCount).toBe(1);
    } finally {
      await strict.stop();
    }
  });

  it('no report within the report timeout: still working, and it says what the archive must reach and until when', async () => {
    const port = await freePort();
    const silent = await archive(port, {});
    host.core.settings.run.reportTimeoutMs = 300;
    try {
      const id = await submit(remote(port, 'silent'));
      const r = await host.core.outgoing.engine.waitUntil(id, (x) => x.state === 'working' && x.error !== null);
      expect(r.error).toMatch(
        new RegExp(
          `^waiting for the archive's report: no N-EVENT-REPORT \\d+ s after ARCHIVE accepted the N-ACTION at \\d\\d:\\d\\d:\\d\\d; ` +
            `the archive must be able to reach SAFEKEEP at 127\\.0\\.0\\.1:${listenerPort} \\(its configuration must list that AE title, host and port\\); Safekeep keeps waiting until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`,
        ),
      );
      // It waits for the report until the request's deadline (24 h after the first N-ACTION), no longer.
      expect(r.nextAttemptAt).toBe(r.sentAt! + 24 * 3600_000);
      expect(r.failedCount).toBe(0);
    } finally {
      host.core.settings.run.reportTimeoutMs = null;
      await silent.stop();
    }
  });

  it('Safekeep stopped while the N-ACTION was on its way: sent again under a new UID after the restart', async () => {
    const port = await freePort();
    const uids: string[] = [];
    const answering = await archive(port, { onNAction: async (req) => (uids.push(req.transactionUid), 0) });
    try {
      const remoteId = await remote(port, 'after restart');
      // A request left "posting" by a crash (as the store holds it after kill -9).
      const { requestIds } = await host.core.store.outgoing.createJob({
        remoteId,
        remoteName: 'after restart',
        label: 'crash',
        form: 'flat',
        requests: [{ transactionUid: '2.25.1234', form: 'flat', studyUid: null, label: null, instances: [{ ...inst, filePath: inst.path }] }],
        now: Date.now(),
      });
      await host.core.store.outgoing.patch(requestIds[0]!, { state: 'checking', sentAt: Date.now(), attempts: 1, nextAttemptAt: Date.now() });
      host.core.outgoing.engine.wake();
      const r = await host.core.outgoing.engine.waitUntil(requestIds[0]!, (x) => x.state === 'working');
      expect(r.previousUids).toEqual(['2.25.1234']);
      expect(uids).toEqual([r.transactionUid]);
    } finally {
      await answering.stop();
    }
  });
});
