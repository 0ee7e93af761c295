/**
 * Safekeep as Storage Commitment SCU against a real Orthanc (commitment SCP):
 * N-ACTION from Safekeep, N-EVENT-REPORT from Orthanc (Orthanc 1.10 always reports on a new
 * association, to the AE registered in its DicomModalities, i.e. Safekeep's DimseListener).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DimseListener } from '../../../src-main/core/dimse/listener';
import { sendCommitmentRequest } from '../../../src-main/core/dimse/scu';
import { DimseError, type CommitmentReport } from '../../../src-main/core/dimse/types';
import { startOrthanc, storeWithStorescu, type OrthancHandle } from '../../support/orthanc';
import { LOOPBACK, deferred, randomUid, startListener, unknownInstances, withTempDir, writeInstances } from './dimse-fixtures';

describe('sendCommitmentRequest -> Orthanc', () => {
  let orthanc: OrthancHandle;
  let listener: DimseListener;
  let listenerLogs: string[];
  const reportsByTransaction = new Map<string, ReturnType<typeof deferred<CommitmentReport>>>();
  const expectReport = (transactionUid: string) => {
    const d = deferred<CommitmentReport>();
    reportsByTransaction.set(transactionUid, d);
    return d.promise;
  };
  const receivedAt = new Map<string, number>();
  const deliver = (r: CommitmentReport) => {
    const d = reportsByTransaction.get(r.transactionUid);
    if (!d) return 0x0110;
    receivedAt.set(r.transactionUid, Date.now());
    d.resolve(r);
    return 0x0000;
  };

  beforeAll(async () => {
    const started = await startListener('SAFEKEEP', {
      admit: ({ callingAeTitle }) => (callingAeTitle === 'ORTHANC' ? null : `unknown calling AE ${callingAeTitle}`),
      onEventReport: async (r) => deliver(r),
    });
    listener = started.listener;
    listenerLogs = started.logs;
    orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', LOOPBACK, started.port] } });
  });
  afterAll(async () => {
    await orthanc?.stop();
    await listener?.stop();
  });

  test('3 stored instances are committed, 2 unknown ones fail with 0112H', async () => {
    await withTempDir(async (dir) => {
      const { files, refs: stored } = writeInstances(dir, 3);
      await storeWithStorescu(files, { aeTitle: orthanc.aeTitle, port: orthanc.dicomPort }, 'SAFEKEEP');
      const inOrthanc = await orthanc.rest<string[]>('GET', '/instances');
      expect(inOrthanc).toHaveLength(3);

      const missing = unknownInstances(2);
      const transactionUid = randomUid();
      // Register the transaction before sending: the report may come before the N-ACTION-RSP.
      const report = expectReport(transactionUid);
      const started = Date.now();
      const result = await sendCommitmentRequest({
        callingAeTitle: 'SAFEKEEP',
        called: { aeTitle: orthanc.aeTitle, host: LOOPBACK, port: orthanc.dicomPort },
        timeoutMs: 10_000,
        transactionUid,
        instances: [...stored, ...missing],
        waitForReportMs: 500,
        onReport: async (r) => deliver({ ...r }),
      });
      const resolvedAt = Date.now();
      expect(result.status).toBe(0x0000);
      const r = await report;
      console.log(
        `Orthanc's report came on ${r.sameAssociation ? 'the same association' : 'a new association'} ` +
          `${(receivedAt.get(transactionUid) ?? NaN) - started} ms after the N-ACTION was sent ` +
          `(sendCommitmentRequest resolved after ${resolvedAt - started} ms, reportReceived: ${result.reportReceived})`,
      );

      expect(r.transactionUid).toBe(transactionUid);
      expect(r.callingAeTitle).toBe('ORTHANC');
      expect(r.eventTypeId).toBe(2);
      expect(r.committed).toHaveLength(3);
      expect(r.failed).toHaveLength(2);
      for (const i of stored) {
        expect(r.committed).toContainEqual({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid });
        expect(r.failed.find((f) => f.sopInstanceUid === i.sopInstanceUid)).toBeUndefined();
      }
      for (const i of missing) {
        expect(r.failed).toContainEqual({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, failureReason: 0x0112 });
        expect(r.committed.find((c) => c.sopInstanceUid === i.sopInstanceUid)).toBeUndefined();
      }
      // Orthanc 1.10 reports on a new association (proposing the SCP role), never the same one.
      expect(r.sameAssociation).toBe(false);
      expect(result.reportReceived).toBe(false);
      expect(listenerLogs).toContain(`association from ORTHANC at ${LOOPBACK} accepted`);
    });
  });

  test('all instances stored => Event Type 1, nothing failed', async () => {
    await withTempDir(async (dir) => {
      const { files, refs } = writeInstances(dir, 2);
      await storeWithStorescu(files, { aeTitle: orthanc.aeTitle, port: orthanc.dicomPort }, 'SAFEKEEP');
      const transactionUid = randomUid();
      const report = expectReport(transactionUid);
      const result = await sendCommitmentRequest({
        callingAeTitle: 'SAFEKEEP',
        called: { aeTitle: orthanc.aeTitle, host: LOOPBACK, port: orthanc.dicomPort },
        timeoutMs: 10_000,
        transactionUid,
        instances: refs,
        waitForReportMs: 0,
        onReport: async (r) => deliver(r),
      });
      expect(result).toEqual({ status: 0x0000, reportReceived: false });
      const r = await report;
      expect(r.eventTypeId).toBe(1);
      expect(r.failed).toEqual([]);
      expect(new Set(r.committed.map((c) => c.sopInstanceUid))).toEqual(new Set(refs.map((c) => c.sopInstanceUid)));
    });
  });

  test('a calling AE that Orthanc does not know: the association is aborted, fast', async () => {
    const started = Date.now();
    const err = await sendCommitmentRequest({
      callingAeTitle: 'STRANGER',
      called: { aeTitle: orthanc.aeTitle, host: LOOPBACK, port: orthanc.dicomPort },
      timeoutMs: 10_000,
      transactionUid: randomUid(),
      instances: unknownInstances(1),
      waitForReportMs: 0,
      onReport: async () => 0,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DimseError);
    expect((err as DimseError).kind).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
