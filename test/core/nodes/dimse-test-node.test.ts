/**
 * Several nodes behind one AE title (a TCP balancer in front of their DICOM listeners): a DIMSE remote's Test
 * sent by node A may have its N-EVENT-REPORT delivered to node B. Node B keeps it among the unmatched reports of
 * the shared store; node A finds it there, and the Test passes. Real Orthanc, told to report to node B only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startDimse } from '../../support/host';
import { sharedStore, type SharedStore } from '../../support/nodes-harness';
import { freePort, startOrthanc, type OrthancHandle } from '../../support/orthanc';

describe("a DIMSE remote's Test whose report reaches another node", () => {
  let shared: SharedStore;
  let orthanc: OrthancHandle | undefined;
  afterEach(async () => {
    await orthanc?.stop();
    await shared.close();
  });

  it('passes on the node that sent it: the report is found in the shared store', async () => {
    shared = await sharedStore({ studies: 1, seriesPerStudy: 1, instancesPerSeries: 1 });
    const [portA, portB] = [await freePort(), await freePort()];
    // Orthanc knows Safekeep's one AE title at node B's listener only.
    orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', '127.0.0.1', portB] } });
    const a = await shared.node('node-a', {}, { scan: false });
    const b = await shared.node('node-b', {}, { scan: false });
    const remote = await a.call('remotes-save', {
      input: { kind: 'dimse', name: 'orthanc', config: { aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort, callingAeTitle: 'SAFEKEEP', timeoutSeconds: 20 } },
    });
    await startDimse(a, { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: portA, peers: [] });
    await startDimse(b, { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: portB, peers: [] });

    const t = await a.call('remotes-test', { id: remote.id });
    expect(t.ok, t.message).toBe(true);
    expect(t.message).toMatch(/with 0112H \(no such object instance\), as expected$/);
    // Node B could not know it was a Test: it kept the report, which is how node A found it.
    const kept = await b.core.store.unmatchedReports.list();
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ callingAe: orthanc.aeTitle, why: 'unknown Transaction UID' });
  });
});
