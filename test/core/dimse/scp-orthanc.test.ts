/**
 * Safekeep as Storage Commitment SCP with a real Orthanc as SCU:
 * Orthanc's REST POST /modalities/{id}/storage-commitment sends the N-ACTION to Safekeep's
 * DimseListener; Safekeep reports on the same association if it is still open, otherwise on a
 * new association (sendCommitmentReport); Orthanc's GET /storage-commitment/{uid} shows the result.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DimseListener } from '../../../src-main/core/dimse/listener';
import { sendCommitmentReport } from '../../../src-main/core/dimse/scu';
import type { CommitmentReportContent, NActionRequestData } from '../../../src-main/core/dimse/types';
import { startOrthanc, type OrthancHandle } from '../../support/orthanc';
import { LOOPBACK, SECONDARY_CAPTURE, pollUntil, randomUid, startListener } from './dimse-fixtures';

/** Orthanc 1.10: GET /storage-commitment/{transaction}. */
interface OrthancCommitmentReport {
  RemoteAET: string;
  Status: 'Pending' | 'Success' | 'Failure';
  Success?: Array<{ SOPClassUID: string; SOPInstanceUID: string }>;
  Failures?: Array<{ SOPClassUID: string; SOPInstanceUID: string; FailureReason: number; Description: string }>;
}

describe('Orthanc -> DimseListener (Safekeep as commitment SCP)', () => {
  let orthanc: OrthancHandle;
  let listener: DimseListener;
  const kept = new Set<string>();
  const delivered: Array<{ transactionUid: string; via: 'same association' | 'new association'; status: number }> = [];
  const nActions: NActionRequestData[] = [];

  beforeAll(async () => {
    const started = await startListener('SAFEKEEP', {
      admit: ({ callingAeTitle }) => (callingAeTitle === 'ORTHANC' ? null : `unknown calling AE ${callingAeTitle}`),
      onNAction: async (req, assoc) => {
        nActions.push(req);
        const report: CommitmentReportContent = {
          transactionUid: req.transactionUid,
          committed: req.instances.filter((i) => kept.has(i.sopInstanceUid)),
          failed: req.instances.filter((i) => !kept.has(i.sopInstanceUid)).map((i) => ({ ...i, failureReason: 0x0112 })),
        };
        // Deliver after the N-ACTION-RSP (sendReportIfOpen waits for it), outside this handler.
        void (async () => {
          const same = await assoc.sendReportIfOpen(report, 2_000);
          if (same) {
            delivered.push({ transactionUid: req.transactionUid, via: 'same association', status: same.status });
          } else {
            const r = await sendCommitmentReport({
              callingAeTitle: 'SAFEKEEP',
              called: { aeTitle: orthanc.aeTitle, host: LOOPBACK, port: orthanc.dicomPort },
              timeoutMs: 5_000,
              report,
            });
            delivered.push({ transactionUid: req.transactionUid, via: 'new association', status: r.status });
          }
        })();
        return 0x0000;
      },
    });
    listener = started.listener;
    orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', LOOPBACK, started.port] } });
  });
  afterAll(async () => {
    await orthanc?.stop();
    await listener?.stop();
  });

  test('Orthanc shows Success/Failure per instance as Safekeep decided', async () => {
    const committed = [randomUid(), randomUid()];
    const failed = [randomUid()];
    for (const uid of committed) kept.add(uid);
    const dicomInstances = [...committed, ...failed].map((uid) => ({ SOPClassUID: SECONDARY_CAPTURE, SOPInstanceUID: uid }));

    // Orthanc 1.10 REST: {"DicomInstances": [{SOPClassUID, SOPInstanceUID} | [class, instance]], "Resources": [orthanc ids]}.
    // The call returns once Orthanc's N-ACTION association is over: {"ID": <transaction UID>, "Path": "/storage-commitment/<uid>"}.
    const answer = await orthanc.rest<{ ID: string; Path: string }>('POST', '/modalities/safekeep/storage-commitment', {
      DicomInstances: dicomInstances,
    });
    const transactionUid = answer.ID;
    expect(answer.Path).toBe(`/storage-commitment/${transactionUid}`);

    const final = await pollUntil('Orthanc to record the report', 15_000, async () => {
      const r = await orthanc.rest<OrthancCommitmentReport>('GET', `/storage-commitment/${transactionUid}`);
      return r.Status === 'Pending' ? undefined : r;
    });
    // Orthanc may record the report before Safekeep has read the N-EVENT-REPORT-RSP.
    const how = await pollUntil('the report delivery to finish', 5_000, async () => delivered.find((d) => d.transactionUid === transactionUid));
    console.log(`report for ${transactionUid} delivered on the ${how.via} (N-EVENT-REPORT-RSP ${how.status})`);
    expect(how.status).toBe(0x0000);

    const req = nActions.find((n) => n.transactionUid === transactionUid);
    expect(req).toMatchObject({ callingAeTitle: 'ORTHANC', calledAeTitle: 'SAFEKEEP', remoteHost: LOOPBACK });
    expect(req?.instances).toHaveLength(3);

    expect(final.RemoteAET).toBe('SAFEKEEP');
    expect(final.Status).toBe('Failure');
    expect(final.Success).toHaveLength(2);
    for (const uid of committed) expect(final.Success).toContainEqual({ SOPClassUID: SECONDARY_CAPTURE, SOPInstanceUID: uid });
    expect(final.Failures).toHaveLength(1);
    expect(final.Failures?.[0]).toMatchObject({ SOPClassUID: SECONDARY_CAPTURE, SOPInstanceUID: failed[0], FailureReason: 0x0112 });
  });

  test('all committed => Orthanc shows Status Success', async () => {
    const uids = [randomUid(), randomUid()];
    for (const uid of uids) kept.add(uid);
    const answer = await orthanc.rest<{ ID: string; Path: string }>('POST', '/modalities/safekeep/storage-commitment', {
      DicomInstances: uids.map((uid) => [SECONDARY_CAPTURE, uid]),
    });
    const final = await pollUntil('Orthanc to record the report', 15_000, async () => {
      const r = await orthanc.rest<OrthancCommitmentReport>('GET', answer.Path);
      return r.Status === 'Pending' ? undefined : r;
    });
    expect(final.Status).toBe('Success');
    expect(final.Failures ?? []).toEqual([]);
    expect(new Set(final.Success?.map((s) => s.SOPInstanceUID))).toEqual(new Set(uids));
  });
});
