/**
 * The DIMSE bridge end to end, with full Safekeep cores and a real Orthanc:
 * Safekeep as SCU (engine) and SCP (listener + policy), both proxy directions, and faults.
 */
import fs from 'node:fs';
import { readAudit } from '../../../src-main/core/audit/read';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_WORK, openHost, type Host } from '../../../src-main/core/host/host';
import type { RunningHttpServer } from '../../../src-main/core/http/server';
import { startDimse } from '../../support/host';
import { sendCommitmentReport, sendCommitmentRequest } from '../../../src-main/core/dimse/scu';
import { DimseListener } from '../../../src-main/core/dimse/listener';
import { Tag } from '../../../src-shared/dicom/tags';
import { parseCommitmentResponse } from '../../../src-main/core/codec/response-json';
import { getCommitment, postCommitment, studyRefs } from '../../support/commitment';
import { makeLibrary, tempDir, type GeneratedInstance } from '../../support/fixtures';
import { freePort, startOrthanc, storeWithStorescu, type OrthancHandle } from '../../support/orthanc';
import { randomUid } from '../../support/dicom-writer';
import { pollUntil } from './dimse-fixtures';
import { answerFor, startFaultServer } from '../../support/fault-server';
import { setDimseLibraryLogLevel } from '../../../src-main/core/dimse/lib';

setDimseLibraryLogLevel('silent');

interface OrthancReport {
  Status: 'Pending' | 'Success' | 'Failure';
  Success?: { SOPClassUID: string; SOPInstanceUID: string }[];
  Failures?: { SOPClassUID: string; SOPInstanceUID: string; FailureReason: number }[];
}

describe('DIMSE bridge with Orthanc', () => {
  let root: string;
  let a: Host; // the Safekeep under test
  let b: Host; // a second Safekeep: a DICOMweb origin server upstream
  let aHttp: RunningHttpServer;
  let bHttp: RunningHttpServer;
  let orthanc: OrthancHandle;
  let instances: GeneratedInstance[];
  let stored: Set<string>; // instances stored into Orthanc
  let aDimsePort: number;
  let orthancRemote: number;

  beforeAll(async () => {
    root = tempDir('safekeep-bridge-');
    const lib = path.join(root, 'lib');
    instances = makeLibrary(lib, { studies: 2, seriesPerStudy: 1, instancesPerSeries: 5 });
    a = await openHost({ dataDir: path.join(root, 'a'), flagTokens: [{ client: 'ua', secret: 'ua-secret' }] });
    await a.call('library-scan', { paths: [lib] });
    aHttp = (await a.start({ ...ALL_WORK, http: { host: '127.0.0.1', port: 0 } })).server!;
    aDimsePort = (await startDimse(a, { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: 0, peers: [], reportRetry: { baseMs: 200, maxMs: 400, maxAttempts: 3 } })).port;

    // B holds every instance but the last of each study.
    const blib = path.join(root, 'blib');
    fs.mkdirSync(blib);
    instances.forEach((i, k) => k % 5 !== 4 && fs.copyFileSync(i.path, path.join(blib, `b${k}.dcm`)));
    b = await openHost({ dataDir: path.join(root, 'b'), flagTokens: [{ client: 'proxy', secret: 'b-secret' }] });
    await b.call('library-scan', { paths: [blib] });
    bHttp = (await b.start({ ...ALL_WORK, http: { host: '127.0.0.1', port: 0 } })).server!;

    orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', '127.0.0.1', aDimsePort] } });
    a.core.dimse.service!.setPeers([{ aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort }]);
    // Orthanc keeps the first three instances of each study.
    const toStore = instances.filter((_, k) => k % 5 < 3);
    stored = new Set(toStore.map((i) => i.sopInstanceUid));
    await storeWithStorescu(toStore.map((i) => i.path), { aeTitle: orthanc.aeTitle, port: orthanc.dicomPort });
    orthancRemote = (
      await a.core.store.remotes.save(
        { kind: 'dimse', name: 'orthanc', config: { aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort, callingAeTitle: 'SAFEKEEP', timeoutSeconds: 10 } },
        Date.now(),
      )
    ).id;
  }, 120_000);

  afterAll(async () => {
    await orthanc?.stop();
    await a?.stop();
    await b?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const outcomes = async (h: Host, ids: number[]) =>
    Object.fromEntries(
      (await Promise.all(ids.map((id) => h.core.outgoing.read.instances(id, { limit: 100, offset: 0 })))).flatMap((page) =>
        page.rows.map((i) => [i.sopInstanceUid, i.outcome === 'committed' ? 'committed' : i.failureReason]),
      ),
    );

  it('Safekeep SCU -> Orthanc SCP: stored instances committed, the others failed 0112H, per instance in the store', async () => {
    expect(await a.core.remotes.test(orthancRemote)).toMatchObject({ ok: true, message: expect.stringMatching(/round trip .* came back on a new association to SAFEKEEP at 127\.0\.0\.1:\d+ .* with 0112H/) });
    const job = await a.core.outgoing.engine.submit({ remoteId: orthancRemote, selection: { paths: [path.join(root, 'lib')] }, form: 'flat' });
    await a.core.outgoing.engine.waitFor(job.requestIds);
    const r = await a.core.outgoing.read.get(job.requestIds[0]!);
    expect(r).toMatchObject({ state: 'done', committedCount: 6, failedCount: 4, error: null });
    // The audit trail has the request as it was first sent: its Transaction UID, where it went, how many instances.
    expect(readAudit(path.join(root, 'a', 'audit')).filter((e) => e.object === r.transactionUid)).toMatchObject([
      { event: 'commitment-request-sent', outcome: 0, address: `${orthanc.aeTitle}@127.0.0.1:${orthanc.dicomPort}`, detail: { instances: '10', remote: 'orthanc', protocol: 'dimse' } },
    ]);
    expect(await outcomes(a, job.requestIds)).toEqual(Object.fromEntries(instances.map((i) => [i.sopInstanceUid, stored.has(i.sopInstanceUid) ? 'committed' : 0x0112])));
  });

  it("Orthanc SCU -> Safekeep SCP (library policy): Orthanc's result shows Safekeep's per-instance answer", async () => {
    const unknown = randomUid();
    const ask = [...instances.slice(0, 3), { sopClassUid: instances[0]!.sopClassUid, sopInstanceUid: unknown }];
    const { ID: uid } = await orthanc.rest<{ ID: string }>('POST', '/modalities/safekeep/storage-commitment', {
      DicomInstances: ask.map((i) => ({ SOPClassUID: i.sopClassUid, SOPInstanceUID: i.sopInstanceUid })),
    });
    const report = await pollUntil('Orthanc to get the report', 20_000, async () => {
      const r = await orthanc.rest<OrthancReport>('GET', `/storage-commitment/${uid}`);
      return r.Status === 'Pending' ? undefined : r;
    });
    expect(report.Status).toBe('Failure');
    expect(report.Success!.map((s) => s.SOPInstanceUID).sort()).toEqual(instances.slice(0, 3).map((i) => i.sopInstanceUid).sort());
    expect(report.Failures).toEqual([{ SOPClassUID: instances[0]!.sopClassUid, SOPInstanceUID: unknown, FailureReason: 0x0112, Description: expect.any(String) }]);
    const tx = await pollUntil('the report to be marked sent', 5000, async () => {
      const t = (await a.core.incoming.read.get(uid))!;
      return t.reportState === 'sent' ? t : undefined;
    });
    expect(tx).toMatchObject({ source: 'dimse', client: orthanc.aeTitle, state: 'done', committedCount: 3, failedCount: 1, reportAttempts: 1 });
    expect((await a.core.incoming.read.list({ limit: 10, offset: 0, source: 'dimse' })).rows.map((t) => t.transactionUid)).toContain(uid);
    // The audit trail names the calling AE title, its address and what it asked about.
    expect(readAudit(path.join(root, 'a', 'audit')).find((e) => e.object === uid)).toMatchObject({
      event: 'commitment-request-received',
      outcome: 0,
      user: orthanc.aeTitle,
      address: `${orthanc.aeTitle}@127.0.0.1`,
      detail: { instances: '4', protocol: 'dimse' },
    });
  });

  it('proxy DICOMweb -> DIMSE: a POST to Safekeep becomes an N-ACTION to Orthanc, answered in the study form', async () => {
    await a.core.policies.use(`forward:${orthancRemote}`);
    try {
      const uid = randomUid();
      const refs = studyRefs(instances.slice(0, 5)); // study 1: three stored in Orthanc, two not
      const res = await postCommitment(aHttp.url, uid, refs, { token: 'ua-secret' });
      expect([200, 202]).toContain(res.status);
      let final = res;
      while (final.status === 202) {
        expect(Number(final.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        await new Promise((r) => setTimeout(r, 300));
        final = await getCommitment(aHttp.url, uid, { token: 'ua-secret' });
      }
      expect(final.status).toBe(200);
      const body = (await final.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual([Tag.ReferencedStudySequence, Tag.FailedStudySequence].sort());
      const result = parseCommitmentResponse(body);
      expect(result.committed.map((i) => i.sopInstanceUid).sort()).toEqual(instances.slice(0, 3).map((i) => i.sopInstanceUid).sort());
      expect(result.failed.map((f) => [f.sopInstanceUid, f.failureReason])).toEqual(instances.slice(3, 5).map((i) => [i.sopInstanceUid, 0x0112]));
      expect(result.committed.every((i) => i.studyUid === instances[0]!.studyUid && i.seriesUid === instances[0]!.seriesUid)).toBe(true);
      // The N-ACTION went out under the same Transaction UID.
      expect(await a.core.store.outgoing.findByProxyFor(uid)).toMatchObject({ transactionUid: uid, state: 'done', remoteName: 'orthanc' });
    } finally {
      await a.core.policies.use('library');
    }
  });

  it('proxy DIMSE -> DICOMweb: Orthanc asks Safekeep, Safekeep asks a second Safekeep over DICOMweb', async () => {
    const bRemote = (await a.core.store.remotes.save({ kind: 'dicomweb', name: 'b', config: { baseUrl: `${bHttp.url}/dicomweb`, auth: 'bearer' }, secret: 'b-secret' }, Date.now())).id;
    await a.core.policies.use(`forward:${bRemote}`, 'dimse');
    try {
      const ask = instances.slice(5, 10); // study 2: B lacks the last one
      const { ID: uid } = await orthanc.rest<{ ID: string }>('POST', '/modalities/safekeep/storage-commitment', {
        DicomInstances: ask.map((i) => ({ SOPClassUID: i.sopClassUid, SOPInstanceUID: i.sopInstanceUid })),
      });
      const report = await pollUntil('Orthanc to get the proxied report', 20_000, async () => {
        const r = await orthanc.rest<OrthancReport>('GET', `/storage-commitment/${uid}`);
        return r.Status === 'Pending' ? undefined : r;
      });
      expect(report.Success!.map((s) => s.SOPInstanceUID).sort()).toEqual(ask.slice(0, 4).map((i) => i.sopInstanceUid).sort());
      expect(report.Failures!.map((f) => [f.SOPInstanceUID, f.FailureReason])).toEqual([[ask[4]!.sopInstanceUid, 0x0112]]);
      // B received a DICOMweb request with the same Transaction UID.
      expect(await b.core.incoming.read.get(uid)).toMatchObject({ source: 'dicomweb', client: 'proxy', state: 'done', committedCount: 4, failedCount: 1 });
    } finally {
      await a.core.policies.use('library', 'dimse');
    }
  });

  describe('faults', () => {
    it('an archive that aborts our association (it does not know our AE title, or it restarts): retried, with the reason and the fix', async () => {
      const stranger = (
        await a.core.store.remotes.save(
          { kind: 'dimse', name: 'orthanc as stranger', config: { aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort, callingAeTitle: 'STRANGER', timeoutSeconds: 10 } },
          Date.now(),
        )
      ).id;
      const job = await a.core.outgoing.engine.submit({ remoteId: stranger, selection: { instances: [instances[0]!.sopInstanceUid] }, form: 'flat' });
      const r = await a.core.outgoing.engine.waitUntil(job.requestIds[0]!, (x) => x.attempts >= 1 && x.state === 'queued');
      expect(r.error).toMatch(
        new RegExp(`aborted by ${orthanc.aeTitle} \\(A-ABORT, source: .*, reason: .*\\); retry 1 at \\d\\d:\\d\\d:\\d\\d; the archive must list STRANGER at 127\\.0\\.0\\.1:${aDimsePort} as a known AE if this keeps happening$`),
      );
      // Not a final verdict: nothing is marked failed while it is retried.
      expect(r).toMatchObject({ failedCount: 0, committedCount: 0 });
      await a.core.outgoing.engine.cancel(r.id);
    });

    it('an archive that is down: retried with back-off, the reason visible', async () => {
      const port = await freePort();
      const down = (await a.core.store.remotes.save({ kind: 'dimse', name: 'down', config: { aeTitle: 'DOWN', host: '127.0.0.1', port, callingAeTitle: 'SAFEKEEP', timeoutSeconds: 2 } }, Date.now())).id;
      const job = await a.core.outgoing.engine.submit({ remoteId: down, selection: { instances: [instances[0]!.sopInstanceUid] }, form: 'flat' });
      const r = await a.core.outgoing.engine.waitUntil(job.requestIds[0]!, (x) => x.attempts >= 1 && x.state === 'queued');
      expect(r.error).toMatch(/refused|connect/i);
      expect(r.nextAttemptAt! - Date.now()).toBeGreaterThan(300);
      await a.core.outgoing.engine.cancel(r.id);
    });

    it('a report that never comes: timed out after the deadline', async () => {
      const silent = new DimseListener({ aeTitle: 'SILENT', host: '127.0.0.1', port: 0, handlers: { admit: () => null, onNAction: async () => 0, onEventReport: async () => 0 } });
      const { port } = await silent.start();
      try {
        const remote = (
          await a.core.store.remotes.save(
            { kind: 'dimse', name: 'silent', config: { aeTitle: 'SILENT', host: '127.0.0.1', port, callingAeTitle: 'SAFEKEEP', deadlineHours: 1 / 3600 } },
            Date.now(),
          )
        ).id;
        const job = await a.core.outgoing.engine.submit({ remoteId: remote, selection: { instances: [instances[0]!.sopInstanceUid] }, form: 'flat' });
        await a.core.outgoing.engine.waitFor(job.requestIds);
        const r = await a.core.outgoing.read.get(job.requestIds[0]!);
        expect(r.state).toBe('timed_out');
        expect((await a.core.outgoing.read.instances(r.id, { limit: 1, offset: 0 })).rows[0]!.detail).toMatch(/no N-EVENT-REPORT within/);
      } finally {
        await silent.stop();
      }
    });

    it('a report for an unknown Transaction UID is kept and answered 0110H', async () => {
      const uid = randomUid();
      const { status } = await sendCommitmentReport({
        callingAeTitle: orthanc.aeTitle,
        called: { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: aDimsePort },
        timeoutMs: 5000,
        report: { transactionUid: uid, committed: [{ sopClassUid: instances[0]!.sopClassUid, sopInstanceUid: instances[0]!.sopInstanceUid }], failed: [] },
      });
      expect(status).toBe(0x0110);
      expect((await a.core.store.unmatchedReports.list())[0]).toMatchObject({ transactionUid: uid, callingAe: orthanc.aeTitle, why: 'unknown Transaction UID' });
    });

    it('a second N-ACTION with a Transaction UID in use is refused, and an unknown AE is not admitted', async () => {
      const uid = randomUid();
      const req = {
        callingAeTitle: orthanc.aeTitle,
        called: { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: aDimsePort },
        timeoutMs: 5000,
        transactionUid: uid,
        instances: [{ sopClassUid: instances[0]!.sopClassUid, sopInstanceUid: instances[0]!.sopInstanceUid }],
        waitForReportMs: 0,
        onReport: async () => 0,
      };
      expect((await sendCommitmentRequest(req)).status).toBe(0);
      expect((await sendCommitmentRequest(req)).status).toBe(0x0110);
      await expect(sendCommitmentRequest({ ...req, callingAeTitle: 'NOBODY', transactionUid: randomUid() })).rejects.toMatchObject({ kind: 'rejected' });
    });

    it("the SCU's listener is down when the report is due: retried, then a visible failure", async () => {
      // An upstream that takes a second to answer, so the report cannot go on the N-ACTION association.
      const slow = await startFaultServer((req, { posted }) => (req.method === 'POST' ? { status: 202, headers: { 'retry-after': '1' } } : answerFor(posted.get(req.uid)!)));
      const slowRemote = (await a.core.store.remotes.save({ kind: 'dicomweb', name: 'slow', config: { baseUrl: slow.url } }, Date.now())).id;
      await a.core.policies.use(`forward:${slowRemote}`, 'dimse');
      const port = await freePort();
      a.core.dimse.service!.setPeers([
        { aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort },
        { aeTitle: 'GONE', host: '127.0.0.1', port },
      ]);
      const uid = randomUid();
      const { status } = await sendCommitmentRequest({
        callingAeTitle: 'GONE',
        called: { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: aDimsePort },
        timeoutMs: 5000,
        transactionUid: uid,
        instances: [{ sopClassUid: instances[0]!.sopClassUid, sopInstanceUid: instances[0]!.sopInstanceUid }],
        waitForReportMs: 0,
        onReport: async () => 0,
      });
      expect(status).toBe(0);
      const tx = await pollUntil('the delivery to give up', 15_000, async () => {
        const t = (await a.core.incoming.read.get(uid))!;
        return t.reportState === 'failed' ? t : undefined;
      });
      expect(tx.reportAttempts).toBe(3);
      expect(tx.reportError).toMatch(/Report to GONE@127\.0\.0\.1:\d+ not delivered \(attempt 3\).*gave up after 3 attempts/);
      await a.core.policies.use('library', 'dimse');
      await slow.close();
    });
  });
});
