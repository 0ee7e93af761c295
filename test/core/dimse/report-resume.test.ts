import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_WORK, openHost, type Host } from '../../../src-main/core/host/host';
import { DimseListener } from '../../../src-main/core/dimse/listener';
import { sendCommitmentRequest } from '../../../src-main/core/dimse/scu';
import type { CommitmentReport } from '../../../src-main/core/dimse/types';
import { makeLibrary, tempDir } from '../../support/fixtures';
import { startDimse } from '../../support/host';
import { freePort } from '../../support/orthanc';
import { randomUid } from '../../support/dicom-writer';
import { pollUntil } from './dimse-fixtures';
import { answerFor, startFaultServer } from '../../support/fault-server';

/** A report that could not be delivered before Safekeep stopped goes out after it starts again. */
describe('DIMSE SCP report delivery across a restart', () => {
  const root = tempDir('safekeep-resume-');
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('retries from the store: the peer gets its report once it is back', async () => {
    const lib = path.join(root, 'lib');
    const [inst] = makeLibrary(lib, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 1 });
    const peerPort = await freePort();
    const dimsePort = await freePort();
    const peers = [{ aeTitle: 'PEER', host: '127.0.0.1', port: peerPort }];
    const config = { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: dimsePort, peers, reportRetry: { baseMs: 60_000, maxMs: 60_000, maxAttempts: 5 } };

    // An upstream that takes a second: the report is ready only after the N-ACTION association is gone.
    const slow = await startFaultServer((req, { posted }) => (req.method === 'POST' ? { status: 202, headers: { 'retry-after': '1' } } : answerFor(posted.get(req.uid)!)));
    const first = await openHost({ dataDir: path.join(root, 'data') });
    await first.call('library-scan', { paths: [lib] });
    await first.start(ALL_WORK);
    const upstream = (await first.core.store.remotes.save({ kind: 'dicomweb', name: 'slow', config: { baseUrl: slow.url } }, Date.now())).id;
    await first.core.policies.use(`forward:${upstream}`, 'dimse');
    await startDimse(first, config);
    const uid = randomUid();
    const ref = { sopClassUid: inst!.sopClassUid, sopInstanceUid: inst!.sopInstanceUid };
    // The peer's own listener is down: the report cannot be delivered now (and the N-ACTION association is released at once).
    expect((await sendCommitmentRequest({ callingAeTitle: 'PEER', called: { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: dimsePort }, timeoutMs: 5000, transactionUid: uid, instances: [ref], waitForReportMs: 0, onReport: async () => 0 })).status).toBe(0);
    await pollUntil('a failed first delivery', 10_000, async () => ((await first.core.incoming.read.get(uid))?.reportState === 'retrying' ? true : undefined));
    await first.stop();
    await slow.close();

    // The peer is back; Safekeep starts again on the same store.
    const got: CommitmentReport[] = [];
    const peer = new DimseListener({
      aeTitle: 'PEER',
      host: '127.0.0.1',
      port: peerPort,
      handlers: { admit: () => null, onNAction: async () => 0x0110, onEventReport: async (r) => (got.push(r), 0) },
    });
    await peer.start();
    const second = await openHost({ dataDir: path.join(root, 'data') });
    try {
      await second.start(ALL_WORK);
      // The store says it is due in a minute; make it due now, as after a long stop.
      await second.core.store.incoming.setReport(uid, { state: 'retrying', nextAt: Date.now() });
      await startDimse(second, config);
      await pollUntil('the report to arrive', 10_000, async () => (got.length > 0 ? true : undefined));
      expect(got[0]).toMatchObject({ transactionUid: uid, eventTypeId: 1, committed: [ref], failed: [], callingAeTitle: 'SAFEKEEP', sameAssociation: false });
      await pollUntil('sent', 5000, async () => ((await second.core.incoming.read.get(uid))?.reportState === 'sent' ? true : undefined));
      expect((await second.core.incoming.read.get(uid))!.reportAttempts).toBe(2);
    } finally {
      await second.stop();
      await peer.stop();
    }
  });
});
