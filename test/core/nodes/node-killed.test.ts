/**
 * A node killed with SIGKILL in the middle of a request (`safekeep serve` in a child process, its POST
 * unanswered): once its lease runs out, another node takes the request over, checks with a Result Check
 * (GET) whether the POST arrived, and never posts it a second time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServe } from '../../support/cli';
import { answerFor, startFaultServer } from '../../support/fault-server';
import { addDicomwebRemote, sharedStore, TEST_LEASE_MS, type SharedStore } from '../../support/nodes-harness';

describe('a node killed mid-request', () => {
  let shared: SharedStore;
  beforeEach(async () => {
    shared = await sharedStore({ studies: 1, seriesPerStudy: 1, instancesPerSeries: 2 });
  });
  afterEach(() => shared.close());

  it('has its request taken over by another node after the lease expires: POSTed once, then checked with a GET', async () => {
    let posted!: () => void;
    const postArrived = new Promise<void>((r) => (posted = r));
    // The POST is never answered (the node dies waiting); the Result Check finds what was posted.
    const peer = await startFaultServer((req, ctx) => {
      if (req.method === 'POST') {
        posted();
        return { stall: true };
      }
      return answerFor(ctx.posted.get(req.uid) ?? []);
    });
    try {
      // The job is stored before any node runs (the store is shared; whoever starts first works it).
      const setup = await shared.node('setup');
      const remoteId = await addDicomwebRemote(setup, peer.url);
      const files = await setup.core.store.library.select({ paths: [shared.libraryDir] });
      const { requestIds } = await setup.core.store.outgoing.createJob({
        remoteId,
        remoteName: 'peer',
        label: 'job',
        form: 'flat',
        now: Date.now(),
        requests: [{ transactionUid: '2.25.424242', form: 'flat', studyUid: null, label: null, instances: files.map((f) => ({ sopClassUid: f.sopClassUid, sopInstanceUid: f.sopInstanceUid, studyUid: f.studyUid, seriesUid: f.seriesUid, filePath: f.path })) }],
      });
      const id = requestIds[0]!;
      await setup.stop();

      // Node 1: a separate process on the same store, killed while its POST waits for an answer.
      const serve = await startServe(['--data', shared.dataDir, '--no-auth', '--lease-seconds', String(TEST_LEASE_MS / 1000)], shared.env);
      await postArrived;
      const observer = (await shared.node('observer')).core.store.outgoing;
      const during = await observer.get(id);
      expect(during.state).toBe('posting');
      expect(during.leaseOwner).toMatch(/.+/);
      expect(during.leaseOwner).not.toBe('node-b');
      serve.child.kill('SIGKILL');
      expect((await serve.exited).signal).toBe('SIGKILL');

      // Node 2 takes it over once the lease ran out: a GET first, the answer found there, no second POST.
      const b = await shared.node('node-b');
      await b.start({ outgoing: 'all' });
      const done = await b.core.outgoing.engine.waitUntil(id, (r) => r.state === 'done');
      expect(done).toMatchObject({ state: 'done', committedCount: 2, leaseOwner: 'node-b', transactionUid: '2.25.424242' });
      expect(peer.seen.map((s) => `${s.method} ${s.uid}`)).toEqual(['POST 2.25.424242', 'GET 2.25.424242']);
    } finally {
      await peer.close();
    }
  });
});
