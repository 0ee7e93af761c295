/**
 * DICOM TLS both ways with a real Orthanc 1.10 (DicomTlsEnabled, client certificates required) as the
 * archive: Safekeep's C-ECHO, N-ACTION, C-STORE and C-FIND go to Orthanc over TLS with the remote's CA and
 * client certificate, and Orthanc sends its N-EVENT-REPORT to Safekeep's TLS-only listener ("UseDicomTls"),
 * which requires Orthanc's certificate to be signed by the test CA. Certificates: openssl (test-pki.ts).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findStudyInstances } from '../../../src-main/core/dimse/find-scu';
import { dimseAddressOf } from '../../../src-main/core/dimse/dimse-address';
import { storeInstances } from '../../../src-main/core/dimse/store-scu';
import { ALL_WORK, openHost, type Host } from '../../../src-main/core/host/host';
import type { DimseRemoteConfig, RemoteInput } from '../../../src-shared/remotes';
import { makeLibrary, tempDir, type GeneratedInstance } from '../../support/fixtures';
import { freePort, startOrthanc, storeWithStorescu, type OrthancHandle } from '../../support/orthanc';
import { makeTestPki, type TestPki } from '../../support/test-pki';

describe('DICOM TLS with Orthanc as the archive (both directions)', () => {
  let dir: string;
  let pki: TestPki;
  let orthanc: OrthancHandle;
  let host: Host;
  let lib: string;
  let instances: GeneratedInstance[];
  let config: DimseRemoteConfig;

  const save = async (name: string, c: Partial<DimseRemoteConfig>) =>
    (await host.call('remotes-save', { input: { kind: 'dimse', name, config: { ...config, ...c } } as RemoteInput })).id;

  beforeAll(async () => {
    dir = tempDir('safekeep-tls-orthanc-');
    pki = makeTestPki(path.join(dir, 'pki'));
    const orthancCert = pki.issue('orthanc', '127.0.0.1');
    lib = path.join(dir, 'lib');
    instances = makeLibrary(lib, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 4 });
    const safekeepPort = await freePort();
    orthanc = await startOrthanc({
      modalities: { safekeep: ['SAFEKEEP', '127.0.0.1', safekeepPort] },
      tls: { cert: orthancCert.cert, key: orthancCert.key, trusted: pki.ca },
    });
    // dcmtk's storescu over DICOM TLS puts the first two instances into the archive.
    await storeWithStorescu(instances.slice(0, 2).map((i) => i.path), { aeTitle: orthanc.aeTitle, port: orthanc.dicomPort }, 'STORESCU', ['+tls', pki.client.key, pki.client.cert, '+cf', pki.ca]);

    host = await openHost({ dataDir: path.join(dir, 'data'), authEnabled: false, tls: { certFile: pki.server.cert, keyFile: pki.server.key, caFile: pki.ca } });
    await host.call('library-scan', { paths: [lib] });
    await host.start({ ...ALL_WORK, dimse: { overrides: { port: safekeepPort } } });
    config = {
      aeTitle: orthanc.aeTitle,
      host: '127.0.0.1',
      port: orthanc.dicomPort,
      callingAeTitle: 'SAFEKEEP',
      timeoutSeconds: 10,
      maxInstancesPerRequest: 1000,
      concurrency: 1,
      deadlineHours: 1,
      tls: { caFile: pki.ca, certFile: pki.client.cert, keyFile: pki.client.key },
    };
  });
  afterAll(async () => {
    await host?.stop();
    await orthanc?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the remote's Test: C-ECHO and the commitment round trip over TLS, the report on a new TLS association", async () => {
    const id = await save('orthanc-tls', {});
    expect(host.core.dimse.state()).toMatchObject({ state: 'listening' });
    const r = await host.call('remotes-test', { id });
    expect(r.message).toMatch(/DICOM TLS/);
    expect(r.message).toMatch(/came back on a new association/);
    expect(r.ok).toBe(true);
  });

  it('a storage commitment over TLS: two instances committed, the two Orthanc lacks failed', async () => {
    const remoteId = (await host.call('remotes-find', { name: 'orthanc-tls' }))!.id;
    const job = await host.call('outgoing-create', { remoteId, selection: { paths: [lib] }, form: 'flat' });
    await host.core.outgoing.waitFor(job.requestIds);
    const request = await host.call('outgoing-get', { id: job.requestIds[0]! });
    // The outcome came with Orthanc's N-EVENT-REPORT, on a new association to a listener that speaks only TLS.
    expect(request).toMatchObject({ state: 'done', committedCount: 2, failedCount: 2 });
  });

  it('C-STORE and C-FIND SCUs over TLS to the same remote', async () => {
    const called = dimseAddressOf(config);
    const third = instances[2]!;
    const stored = await storeInstances({ callingAeTitle: 'SAFEKEEP', called, timeoutMs: 10_000, items: [{ path: third.path, sopClassUid: third.sopClassUid, sopInstanceUid: third.sopInstanceUid, transferSyntaxUid: null }] });
    expect(stored.counts.stored).toBe(1);
    const found = await findStudyInstances({ callingAeTitle: 'SAFEKEEP', called, studyInstanceUid: third.studyUid, timeoutMs: 10_000 });
    expect(found.instances.map((i) => i.sopInstanceUid).sort()).toEqual(instances.slice(0, 3).map((i) => i.sopInstanceUid).sort());
  });

  it('Safekeep as commitment SCP for Orthanc over TLS: its N-ACTION on TLS, the report back over TLS', async () => {
    await host.start({ dimse: { overrides: { peers: [{ aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort }] } } });
    const unknown = '2.25.' + BigInt('0x' + randomBytes(12).toString('hex')).toString();
    const asked = [...instances.slice(0, 2).map((i) => [i.sopClassUid, i.sopInstanceUid]), [instances[0]!.sopClassUid, unknown]];
    const answer = await orthanc.rest<{ ID: string; Path: string }>('POST', '/modalities/safekeep/storage-commitment', { DicomInstances: asked });
    let final: { Status: string; Success?: unknown[]; Failures?: Array<{ SOPInstanceUID: string }> } | undefined;
    for (let i = 0; i < 150 && (!final || final.Status === 'Pending'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      final = await orthanc.rest('GET', answer.Path);
    }
    // Safekeep's library holds the two instances (committed), not the made-up one (failed).
    expect(final).toMatchObject({ Status: 'Failure' });
    expect(final!.Success).toHaveLength(2);
    expect(final!.Failures!.map((f) => f.SOPInstanceUID)).toEqual([unknown]);
    // Orthanc may record the report before Safekeep has read its N-EVENT-REPORT-RSP and stored the delivery.
    let tx = await host.call('incoming-get', { transactionUid: answer.ID });
    for (let i = 0; i < 100 && tx.reportState !== 'sent'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      tx = await host.call('incoming-get', { transactionUid: answer.ID });
    }
    expect(tx).toMatchObject({ source: 'dimse', reportState: 'sent', reportError: null });
  });

  it('fails clearly without TLS, and with TLS but no client certificate (Orthanc requires one)', async () => {
    const plain = await host.call('remotes-test', { id: await save('orthanc-plain', { tls: null }) });
    expect(plain.ok).toBe(false);
    const noCert = await host.call('remotes-test', { id: await save('orthanc-no-cert', { tls: { caFile: pki.ca, certFile: null, keyFile: null } }) });
    expect(noCert.ok).toBe(false);
    expect(noCert.message).toMatch(/C-ECHO .* failed: DICOM TLS handshake with ORTHANC at 127\.0\.0\.1:\d+ failed/);
    const wrongCa = await host.call('remotes-test', { id: await save('orthanc-wrong-ca', { tls: { caFile: pki.rogue.cert, certFile: pki.client.cert, keyFile: pki.client.key } }) });
    expect(wrongCa.ok).toBe(false);
    expect(wrongCa.message).toMatch(/DICOM TLS handshake .* failed: .*(certificate|verify)/i);
  });
});
