import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type CliProcess } from '../../support/cli';
import { writeDicomFile } from '../../support/dicom-writer';
import { startClient, type ClientHarness } from '../../support/engine-harness';
import { MR_IMAGE, tempDir } from '../../support/fixtures';

/**
 * The engine against a real Safekeep origin server running in its own process, whose
 * library holds some of the client's instances (copied), one under another SOP Class,
 * and lacks the rest.
 */
describe('engine against a Safekeep origin server (separate process)', () => {
  let client: ClientHarness;
  let serverRoot: string;
  let sync: CliProcess & { url: string };
  let async: CliProcess & { url: string };
  const expected = new Map<string, number | null>(); // sopInstanceUid -> failure reason (null = committed)

  beforeAll(async () => {
    client = await startClient({ studies: 2, seriesPerStudy: 2, instancesPerSeries: 3 });
    serverRoot = tempDir('safekeep-server-');
    const lib = path.join(serverRoot, 'lib');
    fs.mkdirSync(lib);
    client.instances.forEach((inst, k) => {
      if (k % 4 === 3) {
        expected.set(inst.sopInstanceUid, 0x0112); // not at the server
      } else if (k === 5) {
        writeDicomFile(path.join(lib, `mr${k}.dcm`), { ...inst, sopClassUid: MR_IMAGE }); // same instance, other class
        expected.set(inst.sopInstanceUid, 0x0119);
      } else {
        fs.copyFileSync(inst.path, path.join(lib, `copy${k}.dcm`));
        expected.set(inst.sopInstanceUid, null);
      }
    });
    const args = ['--library', lib, '--token', 'engine=engine-secret'];
    [sync, async] = await Promise.all([
      startServe(['--data', path.join(serverRoot, 'data-sync'), ...args]),
      startServe(['--data', path.join(serverRoot, 'data-async'), ...args, '--sync-window', '0']),
    ]);
  });

  afterAll(async () => {
    for (const p of [sync, async]) {
      p?.child.kill('SIGTERM');
      await p?.exited;
    }
    await client?.close();
    fs.rmSync(serverRoot, { recursive: true, force: true });
  });

  const outcomes = async (requestIds: number[]) =>
    new Map(
      (await Promise.all(requestIds.map((id) => client.core.outgoing.read.instances(id, { limit: 100, offset: 0 })))).flatMap((page) =>
        page.rows.map((i) => [i.sopInstanceUid, i.outcome === 'committed' ? null : i.failureReason] as const),
      ),
    );

  it('synchronous answers, per-study hierarchical requests, committed and failed with the right reasons', async () => {
    const remote = await client.addRemote(`${sync.url}/dicomweb`, { auth: 'bearer' }, 'engine-secret');
    const job = await client.commitAll(remote, 'study');
    expect(job.requestIds).toHaveLength(2); // one per study
    for (const id of job.requestIds) {
      const r = await client.core.outgoing.read.get(id);
      expect(r).toMatchObject({ state: 'done', form: 'study', protocol: 'dicomweb', status: 200, polls: 0, error: null });
      expect(r.studyUid).not.toBeNull();
    }
    expect(await outcomes(job.requestIds)).toEqual(expected);
  });

  it('asynchronous answers: 202 with Retry-After, then Result Checks until 200', async () => {
    const remote = await client.addRemote(`${async.url}/dicomweb`, { auth: 'bearer' }, 'engine-secret');
    const job = await client.commitAll(remote, 'flat');
    expect(job.requestIds).toHaveLength(1);
    const r = await client.core.outgoing.read.get(job.requestIds[0]!);
    expect(r.state).toBe('done');
    expect(r.workingSince).not.toBeNull(); // it was Working: answered 202 first
    expect(r.polls).toBeGreaterThanOrEqual(1);
    expect(await outcomes(job.requestIds)).toEqual(expected);
  });

  it('splits a large selection by the remote\'s maximum instances per request', async () => {
    const remote = await client.addRemote(`${sync.url}/dicomweb`, { auth: 'bearer', maxInstancesPerRequest: 5 }, 'engine-secret');
    const perStudy = await client.commitAll(remote, 'study');
    // 2 studies of 6 instances, at most 5 each: 2 parts per study.
    const requests = await Promise.all(perStudy.requestIds.map((id) => client.core.outgoing.read.get(id)));
    expect(requests.map((r) => r.instanceCount)).toEqual([5, 1, 5, 1]);
    expect(requests.map((r) => r.label)).toEqual(expect.arrayContaining([expect.stringMatching(/\(part 1 of 2\)$/)]));
    expect(new Set(requests.map((r) => r.transactionUid)).size).toBe(4);
    expect(await outcomes(perStudy.requestIds)).toEqual(expected);
    const flat = await client.commitAll(remote, 'flat');
    expect((await Promise.all(flat.requestIds.map((id) => client.core.outgoing.read.get(id)))).map((r) => r.instanceCount)).toEqual([5, 5, 2]);
    expect(await outcomes(flat.requestIds)).toEqual(expected);
  });

  it('a wrong token fails the request with the server\'s 401 explanation', async () => {
    const remote = await client.addRemote(`${sync.url}/dicomweb`, { auth: 'bearer' }, 'wrong-secret');
    const job = await client.commitAll(remote, 'flat');
    const r = await client.core.outgoing.read.get(job.requestIds[0]!);
    expect(r.state).toBe('failed');
    expect(r.error).toMatch(/HTTP 401: The bearer token is not valid/);
    expect((await client.core.remotes.test(remote)).message).toMatch(/refused the credentials/);
  });
});
