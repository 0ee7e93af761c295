/**
 * DimseListener validation and the same-association report path, Safekeep against Safekeep
 * over loopback (real sockets, real dcmjs-dimse on both sides; no mocks).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Dataset, requests } from '../../../src-main/core/dimse/lib';
import type { DimseListener, SameAssociationReporter } from '../../../src-main/core/dimse/listener';
import { RequestorAssociation } from '../../../src-main/core/dimse/requestor';
import { echo, sendCommitmentReport, sendCommitmentRequest } from '../../../src-main/core/dimse/scu';
import {
  DimseError,
  STORAGE_COMMITMENT_PUSH_MODEL_SOP_CLASS as PUSH_MODEL,
  STORAGE_COMMITMENT_PUSH_MODEL_SOP_INSTANCE as PUSH_MODEL_INSTANCE,
  type AeAddress,
  type CommitmentReport,
  type InstanceRef,
  type NActionRequestData,
} from '../../../src-main/core/dimse/types';
import { LOOPBACK, SECONDARY_CAPTURE, randomUid, sleep, startListener, unknownInstances } from './dimse-fixtures';

const KNOWN = new Set(['MODALITY', 'ARCHIVE']);

describe('DimseListener', () => {
  let listener: DimseListener;
  let address: AeAddress;
  let logs: string[];
  const nActions: NActionRequestData[] = [];
  const eventReports: CommitmentReport[] = [];
  /** How the handler answers: per transaction, 'same' sends the report from inside onNAction. */
  const plan = new Map<string, 'same' | 'keep' | 'none' | 'fail-status'>();
  const keptReporters = new Map<string, SameAssociationReporter>();
  const sameAssociationResults = new Map<string, { status: number } | null>();

  beforeAll(async () => {
    const started = await startListener('SAFEKEEP', {
      admit: ({ callingAeTitle }) => (KNOWN.has(callingAeTitle) ? null : `calling AE title ${callingAeTitle} not configured`),
      onNAction: async (req, assoc) => {
        nActions.push(req);
        const p = plan.get(req.transactionUid) ?? 'none';
        if (p === 'fail-status') return 0x0213;
        if (p === 'keep') keptReporters.set(req.transactionUid, assoc);
        if (p === 'same') {
          // Called before this handler returns: the listener holds it until the N-ACTION-RSP is out.
          void assoc
            .sendReportIfOpen(
              {
                transactionUid: req.transactionUid,
                committed: req.instances.slice(0, 1),
                failed: req.instances.slice(1).map((i) => ({ ...i, failureReason: 0x0112 })),
              },
              2_000,
            )
            .then((r) => sameAssociationResults.set(req.transactionUid, r));
        }
        return 0x0000;
      },
      onEventReport: async (r) => {
        eventReports.push(r);
        return r.transactionUid.endsWith('.9') ? 0x0110 : 0x0000;
      },
    });
    listener = started.listener;
    logs = started.logs;
    address = { aeTitle: 'SAFEKEEP', host: LOOPBACK, port: started.port };
  });
  afterAll(async () => {
    await listener?.stop();
  });

  /** N-ACTION through the low-level requestor, for requests sendCommitmentRequest would never build. */
  async function rawNAction(o: { actionTypeId?: number; instanceUid?: string; elements?: Record<string, unknown> }): Promise<number> {
    const a = await RequestorAssociation.open({
      callingAeTitle: 'MODALITY',
      called: address,
      contexts: [{ abstractSyntax: PUSH_MODEL }],
      timeoutMs: 5_000,
    });
    try {
      const req = new requests.NActionRequest(PUSH_MODEL, o.instanceUid ?? PUSH_MODEL_INSTANCE, o.actionTypeId ?? 1);
      req.setDataset(
        new Dataset(
          o.elements ?? {
            TransactionUID: randomUid(),
            ReferencedSOPSequence: [{ ReferencedSOPClassUID: SECONDARY_CAPTURE, ReferencedSOPInstanceUID: randomUid() }],
          },
        ),
      );
      const rsp = await a.request(req, PUSH_MODEL, 5_000);
      return rsp.getStatus();
    } finally {
      await a.release(2_000);
    }
  }

  const request = (instances: InstanceRef[], transactionUid = randomUid(), callingAeTitle = 'MODALITY') =>
    sendCommitmentRequest({
      callingAeTitle,
      called: address,
      timeoutMs: 5_000,
      transactionUid,
      instances,
      waitForReportMs: 0,
      onReport: async () => 0,
    });

  test('C-ECHO from a known AE', async () => {
    expect(await echo({ callingAeTitle: 'MODALITY', called: address, timeoutMs: 5_000 })).toEqual({ status: 0 });
  });

  test('a valid request reaches onNAction as data', async () => {
    const instances = unknownInstances(2);
    const transactionUid = randomUid();
    expect(await request(instances, transactionUid)).toEqual({ status: 0, reportReceived: false });
    expect(nActions.find((n) => n.transactionUid === transactionUid)).toEqual({
      transactionUid,
      instances,
      callingAeTitle: 'MODALITY',
      calledAeTitle: 'SAFEKEEP',
      remoteHost: LOOPBACK,
    });
  });

  test('the handler status is the N-ACTION-RSP status', async () => {
    const transactionUid = randomUid();
    plan.set(transactionUid, 'fail-status');
    expect((await request(unknownInstances(1), transactionUid)).status).toBe(0x0213);
  });

  test('Action Type ID 2 => 0123H No such action', async () => {
    const before = nActions.length;
    expect(await rawNAction({ actionTypeId: 2 })).toBe(0x0123);
    expect(nActions.length).toBe(before);
  });

  test('a duplicate SOP Instance UID => 0115H', async () => {
    const [one] = unknownInstances(1);
    const before = nActions.length;
    expect((await request([one!, { ...one! }])).status).toBe(0x0115);
    expect(nActions.length).toBe(before);
  });

  test('other invalid requests: instance UID 0117H, missing Transaction UID / empty sequence / bad UID 0115H', async () => {
    expect(await rawNAction({ instanceUid: '1.2.3' })).toBe(0x0117);
    expect(
      await rawNAction({ elements: { ReferencedSOPSequence: [{ ReferencedSOPClassUID: SECONDARY_CAPTURE, ReferencedSOPInstanceUID: randomUid() }] } }),
    ).toBe(0x0115);
    expect(await rawNAction({ elements: { TransactionUID: randomUid(), ReferencedSOPSequence: [] } })).toBe(0x0115);
    expect(await rawNAction({ elements: { TransactionUID: randomUid() } })).toBe(0x0115);
    expect(
      await rawNAction({ elements: { TransactionUID: randomUid(), ReferencedSOPSequence: [{ ReferencedSOPClassUID: SECONDARY_CAPTURE }] } }),
    ).toBe(0x0115);
    expect(
      await rawNAction({
        elements: { TransactionUID: '1.02.3', ReferencedSOPSequence: [{ ReferencedSOPClassUID: SECONDARY_CAPTURE, ReferencedSOPInstanceUID: randomUid() }] },
      }),
    ).toBe(0x0115);
    expect(logs.some((l) => /0115H Invalid argument value: Transaction UID \(0008,1195\) is missing/.test(l))).toBe(true);
  });

  test('an unknown calling AE is rejected (calling AE title not recognized)', async () => {
    const err = await echo({ callingAeTitle: 'STRANGER', called: address, timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DimseError);
    expect((err as DimseError).kind).toBe('rejected');
    expect((err as DimseError).message).toBe('association rejected by SAFEKEEP (calling AE title not recognized, permanent)');
    expect(logs.some((l) => l.includes('calling AE title STRANGER not configured'))).toBe(true);
    await expect(request(unknownInstances(1), randomUid(), 'STRANGER')).rejects.toMatchObject({ kind: 'rejected' });
  });

  test('a wrong called AE title is rejected (called AE title not recognized)', async () => {
    await expect(echo({ callingAeTitle: 'MODALITY', called: { ...address, aeTitle: 'SOMEONE' }, timeoutMs: 5_000 })).rejects.toMatchObject({
      kind: 'rejected',
      message: 'association rejected by SOMEONE (called AE title not recognized, permanent)',
    });
  });

  test('abstract syntaxes other than Verification and Push Model are not accepted', async () => {
    const a = await RequestorAssociation.open({
      callingAeTitle: 'MODALITY',
      called: address,
      contexts: [{ abstractSyntax: SECONDARY_CAPTURE }, { abstractSyntax: PUSH_MODEL, scuRole: false, scpRole: true }],
      timeoutMs: 5_000,
    });
    try {
      expect(a.acceptedContext(SECONDARY_CAPTURE)).toBeUndefined();
      // The SCP role proposed by a requestor (an archive reporting back) is accepted.
      expect(a.acceptedContext(PUSH_MODEL)).toMatchObject({ scuRole: false, scpRole: true });
    } finally {
      await a.release(2_000);
    }
  });

  test('report on the same association: both directions of the facade', async () => {
    const instances = unknownInstances(3);
    const transactionUid = randomUid();
    plan.set(transactionUid, 'same');
    const seen: CommitmentReport[] = [];
    const result = await sendCommitmentRequest({
      callingAeTitle: 'MODALITY',
      called: address,
      timeoutMs: 5_000,
      transactionUid,
      instances,
      waitForReportMs: 3_000,
      onReport: async (r) => {
        seen.push(r);
        return 0x0000;
      },
    });
    expect(result).toEqual({ status: 0, reportReceived: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual({
      transactionUid,
      eventTypeId: 2,
      committed: [instances[0]],
      failed: instances.slice(1).map((i) => ({ ...i, failureReason: 0x0112 })),
      callingAeTitle: 'SAFEKEEP',
      sameAssociation: true,
    });
    await sleep(50);
    expect(sameAssociationResults.get(transactionUid)).toEqual({ status: 0 });
  });

  test('a report crossing the requestor\'s A-RELEASE-RQ is still answered before the A-RELEASE-RP', async () => {
    const transactionUid = randomUid();
    plan.set(transactionUid, 'same');
    // waitForReportMs 0: the SCU releases right after the N-ACTION-RSP, racing the report.
    const r = await request(unknownInstances(1), transactionUid);
    expect(r.status).toBe(0);
    const deadline = Date.now() + 3_000;
    while (!sameAssociationResults.has(transactionUid) && Date.now() < deadline) await sleep(20);
    const outcome = sameAssociationResults.get(transactionUid);
    // Normally the report is already on its way when the A-RELEASE-RQ arrives (the listener then
    // holds the A-RELEASE-RP until the N-EVENT-REPORT-RSP); if the release won, the answer is null.
    expect(outcome === null || outcome?.status === 0).toBe(true);
  });

  test('sendReportIfOpen after the association is gone => null', async () => {
    const transactionUid = randomUid();
    plan.set(transactionUid, 'keep');
    expect((await request(unknownInstances(1), transactionUid)).status).toBe(0);
    const reporter = keptReporters.get(transactionUid);
    expect(reporter).toBeDefined();
    await sleep(100);
    expect(await reporter!.sendReportIfOpen({ transactionUid, committed: [], failed: [] }, 1_000)).toBeNull();
  });

  test('N-EVENT-REPORT on a new association reaches onEventReport; its status is the answer', async () => {
    const committed = unknownInstances(1);
    const transactionUid = randomUid();
    const r = await sendCommitmentReport({
      callingAeTitle: 'ARCHIVE',
      called: address,
      timeoutMs: 5_000,
      report: { transactionUid, committed, failed: [] },
    });
    expect(r.status).toBe(0);
    expect(eventReports.find((e) => e.transactionUid === transactionUid)).toEqual({
      transactionUid,
      eventTypeId: 1,
      committed,
      failed: [],
      callingAeTitle: 'ARCHIVE',
      sameAssociation: false,
    });
    const handlerRefuses = await sendCommitmentReport({
      callingAeTitle: 'ARCHIVE',
      called: address,
      timeoutMs: 5_000,
      report: { transactionUid: `${randomUid()}.9`, committed, failed: [] },
    });
    expect(handlerRefuses.status).toBe(0x0110);
  });

  test('a report without Transaction UID gets 0110H from the listener itself', async () => {
    const before = eventReports.length;
    const r = await sendCommitmentReport({
      callingAeTitle: 'ARCHIVE',
      called: address,
      timeoutMs: 5_000,
      report: { transactionUid: '', committed: [], failed: [{ sopClassUid: SECONDARY_CAPTURE, sopInstanceUid: randomUid(), failureReason: 0x0112 }] },
    });
    expect(r.status).toBe(0x0110);
    expect(eventReports.length).toBe(before);
  });
});
