import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_WORK, openHost } from '../../src-main/core/host/host';
import { runCliToEnd, startServe, type CliProcess } from '../support/cli';
import { makeLibrary, tempDir } from '../support/fixtures';
import { startOrthanc, type OrthancHandle } from '../support/orthanc';

/**
 * The remote Test of a DICOMweb archive tells a real storage commitment service from a
 * DICOMweb server without one: Orthanc's DICOMweb plugin (no commitment) against a Safekeep serve.
 */
describe('DICOMweb remote Test: is there a storage commitment service?', () => {
  let root: string;
  let orthanc: OrthancHandle;
  let serve: CliProcess & { url: string };
  const data = () => ['--data', path.join(root, 'data')];

  beforeAll(async () => {
    root = tempDir();
    orthanc = await startOrthanc({ modalities: {}, dicomWeb: true });
    serve = await startServe(['--data', path.join(root, 'serve'), '--token', 'me=serve-secret']);
  }, 60_000);
  afterAll(async () => {
    serve?.child.kill('SIGTERM');
    await serve?.exited;
    await orthanc?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("Orthanc's DICOMweb plugin: Test fails saying it does not offer DICOMweb storage commitment; commit stops there with exit 2", async () => {
    // The plugin does serve DICOMweb (QIDO answers), just not /commitment-requests.
    expect((await fetch(`${orthanc.url}/dicom-web/studies`)).status).toBe(200);
    await runCliToEnd(['remote', 'add', 'orthanc', '--url', `${orthanc.url}/dicom-web`, ...data()]);
    const t = await runCliToEnd(['remote', 'test', 'orthanc', ...data()]);
    expect(t.code).toBe(2);
    expect(t.stdout).toMatch(
      /^FAILED \(\d+ ms\): This archive does not offer DICOMweb storage commitment at http:\/\/127\.0\.0\.1:\d+\/dicom-web: POST …\/commitment-requests\/\{Transaction UID\} answered HTTP 404 \(Unknown resource\)/,
    );
    const lib = path.join(root, 'lib');
    makeLibrary(lib, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 2 });
    const c = await runCliToEnd(['commit', lib, '--to', `${orthanc.url}/dicom-web`, ...data(), '--quiet']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/Cannot use .*: This archive does not offer DICOMweb storage commitment/);
    // The failed Test is kept with the remote (shown in the Remotes list and the Verify dialog).
    const list = JSON.parse((await runCliToEnd(['remote', 'list', '--json', ...data()])).stdout) as { name: string; lastTest: { ok: boolean; message: string; at: number } | null }[];
    expect(list.find((r) => r.name === 'orthanc')!.lastTest).toMatchObject({ ok: false, message: expect.stringMatching(/does not offer DICOMweb storage commitment/), at: expect.any(Number) });
    expect((await runCliToEnd(['remote', 'list', ...data()])).stdout).toMatch(/orthanc\s+DICOMweb http:\/\/127\.0\.0\.1:\d+\/dicom-web\s+auth none\s+last Test FAILED \d{4}-\d\d-\d\d \d\d:\d\d/);
  });

  it('a Safekeep serve: Test passes, its service answered a made-up instance with 0112H', async () => {
    await runCliToEnd(['remote', 'add', 'safekeep', '--url', `${serve.url}/dicomweb`, '--token', 'serve-secret', ...data()]);
    const t = await runCliToEnd(['remote', 'test', 'safekeep', ...data()]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^OK \(\d+ ms\): The commitment service at http:\/\/127\.0\.0\.1:\d+\/dicomweb works: a request for one made-up instance \(Transaction UID 2\.25\.\d+\) came back failed with 0112H No such object instance, as expected/);
    const list = JSON.parse((await runCliToEnd(['remote', 'list', '--json', ...data()])).stdout) as { name: string; lastTest: { ok: boolean } | null }[];
    expect(list.find((r) => r.name === 'safekeep')!.lastTest).toMatchObject({ ok: true });
  });

  it('a request the engine posts to Orthanc fails with the same explanation, not "HTTP 404: no explanation given"', async () => {
    const host = await openHost({ dataDir: path.join(root, 'engine') });
    try {
      const lib = path.join(root, 'lib2');
      makeLibrary(lib, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 2 });
      await host.call('library-scan', { paths: [lib] });
      const remote = await host.call('remotes-save', { input: { kind: 'dicomweb', name: 'orthanc', config: { baseUrl: `${orthanc.url}/dicom-web` } } });
      await host.start(ALL_WORK);
      const job = await host.call('outgoing-create', { remoteId: remote.id, selection: { paths: [lib] }, form: 'study' });
      await host.core.outgoing.waitFor(job.requestIds);
      const r = await host.call('outgoing-get', { id: job.requestIds[0]! });
      expect(r.state).toBe('failed');
      expect(r.error).toMatch(/^This archive does not offer DICOMweb storage commitment at http:\/\/127\.0\.0\.1:\d+\/dicom-web: POST …\/commitment-requests\/\{Transaction UID\} answered HTTP 404 \(Unknown resource\)/);
      expect((await host.core.store.outgoing.instancesOf(r.id)).every((i) => i.outcome === 'failed' && /does not offer DICOMweb storage commitment/.test(i.detail ?? ''))).toBe(true);
    } finally {
      await host.stop();
    }
  });
});
