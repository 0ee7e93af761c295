/**
 * Safekeep as commitment SCU against a real Orthanc that restarts, or does not know Safekeep:
 * the outage is retried (nothing is marked failed by it), and a remote's Test proves the whole
 * round trip (C-ECHO, N-ACTION, N-EVENT-REPORT back to Safekeep's listener).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_WORK, openHost, type Host } from '../../../src-main/core/host/host';
import { makeLibrary, tempDir, type GeneratedInstance } from '../../support/fixtures';
import { freePort, startOrthanc, storeWithStorescu, type OrthancHandle } from '../../support/orthanc';
import { pollUntil } from './dimse-fixtures';

describe('DIMSE faults with a real Orthanc', () => {
  let root: string;
  let host: Host;
  let instances: GeneratedInstance[];
  let listenerPort: number;
  let orthanc: OrthancHandle;
  /** Does not list Safekeep; answers C-ECHO to anyone (Orthanc's default). */
  let stranger: OrthancHandle;
  const lib = () => path.join(root, 'lib');

  beforeAll(async () => {
    root = tempDir('safekeep-orthanc-faults-');
    instances = makeLibrary(lib(), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 3 });
    listenerPort = await freePort();
    host = await openHost({ dataDir: path.join(root, 'data'), dimseRetry: { baseMs: 300, maxMs: 1000 } });
    await host.core.store.settings.update({ dimse: { port: listenerPort } });
    await host.call('library-scan', { paths: [lib()] });
    await host.start(ALL_WORK);
    orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', '127.0.0.1', listenerPort] } });
    stranger = await startOrthanc({ aeTitle: 'STRANGER', modalities: {}, config: { DicomAlwaysAllowEcho: true } });
    await storeWithStorescu(instances.map((i) => i.path), { aeTitle: orthanc.aeTitle, port: orthanc.dicomPort });
  }, 90_000);
  afterAll(async () => {
    await orthanc?.stop();
    await stranger?.stop();
    await host?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const save = async (name: string, o: OrthancHandle, timeoutSeconds = 30, address = '127.0.0.1') =>
    (
      await host.core.store.remotes.save(
        { kind: 'dimse', name, config: { aeTitle: o.aeTitle, host: address, port: o.dicomPort, callingAeTitle: 'SAFEKEEP', timeoutSeconds } },
        Date.now(),
        (await host.core.store.remotes.findByName(name))?.id,
      )
    ).id;

  it('the listener starts with the first DIMSE remote, on the saved port', async () => {
    expect((await host.core.dimse.enable()).state).toBe('stopped');
    await save('orthanc', orthanc);
    expect(await host.core.dimse.ensure()).toMatchObject({ state: 'listening', aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: listenerPort });
  });

  it('Test: green when Orthanc lists Safekeep, and the probe touches no request nor the unmatched reports', async () => {
    const t = await host.core.remotes.test((await host.core.store.remotes.findByName('orthanc'))!.id);
    expect(t.ok, t.message).toBe(true);
    expect(t.message).toMatch(new RegExp(`came back on a new association to SAFEKEEP at 127\\.0\\.0\\.1:${listenerPort} in \\d+ ms with 0112H \\(no such object instance\\), as expected$`));
    expect((await host.core.outgoing.read.list({ limit: 10, offset: 0 })).total).toBe(0);
    expect(await host.core.store.unmatchedReports.list()).toEqual([]);
  });

  it('Test: red with the AE hint when Orthanc does not know Safekeep (its C-ECHO passes, the N-ACTION is aborted)', async () => {
    const t = await host.core.remotes.test(await save('stranger', stranger));
    expect(t.ok).toBe(false);
    expect(t.message).toMatch(
      new RegExp(`^C-ECHO passed, but the test N-ACTION to STRANGER@127\\.0\\.0\\.1:\\d+ failed: association aborted by STRANGER \\(A-ABORT, source: [a-z ]+, reason: [a-z ]+\\); the archive must list SAFEKEEP at 127\\.0\\.0\\.1:${listenerPort} as a known AE$`),
    );
    // Listed: green (a roomier timeout: a loaded machine can delay Orthanc's report by seconds).
    await stranger.rest('PUT', '/modalities/safekeep', { AET: 'SAFEKEEP', Host: '127.0.0.1', Port: listenerPort });
    const fixed = await host.core.remotes.test(await save('stranger', stranger));
    expect(fixed.ok, fixed.message).toBe(true);
  });

  it('Test: red when the report does not come back in time (Orthanc sends it to a wrong port)', async () => {
    await stranger.rest('PUT', '/modalities/safekeep', { AET: 'SAFEKEEP', Host: '127.0.0.1', Port: await freePort() });
    const t = await host.core.remotes.test(await save('stranger', stranger, 4));
    expect(t).toMatchObject({
      ok: false,
      message: `STRANGER accepted the test N-ACTION but sent no N-EVENT-REPORT within 4 s: the archive must list SAFEKEEP at 127.0.0.1:${listenerPort} as a known AE, and it must be able to reach it`,
    });
    expect(await host.core.store.unmatchedReports.list()).toEqual([]);
  });

  it('Test: red at once when the archive cannot reach a listener bound to loopback', async () => {
    const t = await host.core.remotes.test(await save('far away', stranger, 2, '192.0.2.10'));
    expect(t).toMatchObject({ ok: false, message: expect.stringMatching(/^Safekeep's DICOM listener is bound to 127\.0\.0\.1, which the archive at 192\.0\.2\.10 cannot reach: set the DICOM listen address/) });
    await host.core.store.remotes.delete((await host.core.store.remotes.findByName('far away'))!.id);
  });

  it('Orthanc killed and restarted while the N-ACTION is on its way: retried, then committed; nothing failed by the outage', async () => {
    const remoteId = (await host.core.store.remotes.findByName('orthanc'))!.id;
    const errors: string[] = [];
    // Frozen, Orthanc takes the connection but answers nothing: the N-ACTION's association is opening when it is killed.
    orthanc.pause();
    const id = (await host.core.outgoing.engine.submit({ remoteId, selection: { paths: [lib()] }, form: 'flat' })).requestIds[0]!;
    const off = host.events.on('data-changed', ({ tables }) => {
      if (!tables.includes('outgoing')) return;
      void host.core.outgoing.read.get(id).then((r) => {
        if (r.error && !errors.includes(r.error)) errors.push(r.error);
      });
    });
    try {
      await pollUntil('the N-ACTION to be on its way', 10_000, async () => ((await host.core.outgoing.read.get(id)).state === 'posting' ? true : undefined));
      await orthanc.kill();
      await pollUntil('a retry after the connection was refused', 10_000, async () => (errors.some((e) => /connection refused/.test(e)) ? true : undefined));
      await orthanc.restart();
      const r = await host.core.outgoing.engine.waitUntil(id, (x) => x.state === 'done');
      expect(r).toMatchObject({ committedCount: 3, failedCount: 0 });
      expect(r.attempts).toBeGreaterThanOrEqual(2);
      expect(errors[0]).toMatch(/closed the connection before answering the association request \(it may be restarting, or it does not know calling AE title SAFEKEEP\); retry 1 at \d\d:\d\d:\d\d; the archive must list SAFEKEEP at 127\.0\.0\.1:\d+ as a known AE if this keeps happening$/);
      expect(errors).toContainEqual(expect.stringMatching(/^could not connect to ORTHANC at 127\.0\.0\.1:\d+ \(connection refused\); retry \d+ at \d\d:\d\d:\d\d$/));
    } finally {
      off();
    }
  }, 60_000);
});
