/**
 * A DIMSE N-ACTION taken by node A has its N-EVENT-REPORT delivered by node B: node A (forwarding to a slow
 * upstream, so that the N-ACTION association is gone when the outcome is known) could not reach the peer and stopped; node B (its own DICOM listener, on the same store) takes the report's lease and delivers it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DimseListener } from '../../../src-main/core/dimse/listener';
import { sendCommitmentRequest } from '../../../src-main/core/dimse/scu';
import type { CommitmentReport } from '../../../src-main/core/dimse/types';
import { randomUid } from '../../support/dicom-writer';
import { startDimse } from '../../support/host';
import { freePort } from '../../support/orthanc';
import { sharedStore, type SharedStore } from '../../support/nodes-harness';
import { pollUntil } from '../dimse/dimse-fixtures';
import { answerFor, startFaultServer } from '../../support/fault-server';

describe('the report of a DIMSE transaction across nodes', () => {
  let shared: SharedStore;
  afterEach(() => shared.close());

  it('an N-ACTION taken by node A has its N-EVENT-REPORT sent by node B', async () => {
    shared = await sharedStore({ studies: 1, seriesPerStudy: 1, instancesPerSeries: 2 });
    const [portA, portB, peerPort] = [await freePort(), await freePort(), await freePort()];
    const peers = [{ aeTitle: 'PEER', host: '127.0.0.1', port: peerPort }];
    const retry = { reportRetry: { baseMs: 60_000, maxMs: 60_000, maxAttempts: 5 } };
    // An upstream that takes a second (node A forwards to it): the report is ready only after the N-ACTION association is gone.
    const slow = await startFaultServer((req, { posted }) => (req.method === 'POST' ? { status: 202, headers: { 'retry-after': '1' } } : answerFor(posted.get(req.uid)!)));
    const a = await shared.node('node-a');
    await a.start({ incoming: true, outgoing: 'all' });
    const upstream = (await a.core.store.remotes.save({ kind: 'dicomweb', name: 'slow', config: { baseUrl: slow.url } }, Date.now())).id;
    await a.core.policies.use(`forward:${upstream}`, 'dimse');
    await startDimse(a, { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: portA, peers, ...retry });

    // The peer's listener is down: node A cannot deliver the report (and the N-ACTION association is gone).
    const uid = randomUid();
    const refs = shared.instances.map((i) => ({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid }));
    const rsp = await sendCommitmentRequest({ callingAeTitle: 'PEER', called: { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: portA }, timeoutMs: 5000, transactionUid: uid, instances: refs, waitForReportMs: 0, onReport: async () => 0 });
    expect(rsp.status).toBe(0);
    await pollUntil('a failed first delivery', 10_000, async () => ((await a.core.incoming.read.get(uid))?.reportState === 'retrying' ? true : undefined));
    await a.stop();
    await slow.close();

    // The peer is back; node B, on the same store, delivers the report that is due.
    const got: CommitmentReport[] = [];
    const peer = new DimseListener({ aeTitle: 'PEER', host: '127.0.0.1', port: peerPort, handlers: { admit: () => null, onNAction: async () => 0x0110, onEventReport: async (r) => (got.push(r), 0) } });
    await peer.start();
    try {
      const b = await shared.node('node-b');
      await b.start({ incoming: true });
      await b.core.store.incoming.setReport(uid, { state: 'retrying', nextAt: Date.now() });
      await startDimse(b, { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: portB, peers, ...retry });
      await pollUntil('the report to arrive', 10_000, async () => (got.length > 0 ? true : undefined));
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ transactionUid: uid, eventTypeId: 1, committed: refs, failed: [], callingAeTitle: 'SAFEKEEP', sameAssociation: false });
      await pollUntil('sent', 5000, async () => ((await b.core.incoming.read.get(uid))?.reportState === 'sent' ? true : undefined));
      expect((await b.core.incoming.read.get(uid))!.reportAttempts).toBe(2);
    } finally {
      await peer.stop();
    }
  });
});
