import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src-main/core/store/db';
import { RemotesRepo } from '../../src-main/core/store/remotes-repo';
import { SettingsRepo } from '../../src-main/core/store/settings-repo';
import type { OutgoingRequest } from '../../src-shared/outgoing';
import { pollUntil } from '../core/dimse/dimse-fixtures';
import { runCliToEnd, spawnCli, startServe } from '../support/cli';
import { makeLibrary, tempDir, type GeneratedInstance } from '../support/fixtures';
import { freePort, startOrthanc, storeWithStorescu, type OrthancHandle } from '../support/orthanc';
import { startTcpRelay } from '../support/tcp-relay';

/**
 * Never silently stuck, with the built command and a real Orthanc: the listener follows the
 * saved settings, a report that does not come ends `commit`/`resume` with exit 3 and what the
 * archive must reach, and Ctrl-C says how to resume.
 */
describe('safekeep and the DICOM listener (Orthanc)', () => {
  let root: string;
  let lib: string;
  let instances: GeneratedInstance[];
  let orthanc: OrthancHandle;
  const target = () => `dicom://${orthanc.aeTitle}@127.0.0.1:${orthanc.dicomPort}`;
  /** Where Orthanc sends its reports for AE title SAFEKEEP (changed at run time through its REST API). */
  const pointSafekeepAt = (port: number) => orthanc.rest('PUT', '/modalities/safekeep', { AET: 'SAFEKEEP', Host: '127.0.0.1', Port: port });
  /** Safekeep's listener port, which Orthanc reaches once (the Test's report), then no more: a path that broke. */
  const reachableOnce = async () => {
    const port = await freePort();
    const relay = await startTcpRelay({ host: '127.0.0.1', port }, { maxConnections: 1 });
    await pointSafekeepAt(relay.port);
    return { port, relay };
  };

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'lib');
    instances = makeLibrary(lib, { studies: 1, seriesPerStudy: 2, instancesPerSeries: 3 });
    orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', '127.0.0.1', 1] } });
    await storeWithStorescu(instances.slice(0, 4).map((i) => i.path), { aeTitle: orthanc.aeTitle, port: orthanc.dicomPort });
  }, 60_000);
  afterAll(async () => {
    await orthanc?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('serve listens on the saved DICOM port once a DIMSE remote exists (no --dimse-port): the report arrives, the request completes', async () => {
    const data = path.join(root, 'serve');
    const port = await freePort();
    await pointSafekeepAt(port);
    const db = openDb(data);
    await new SettingsRepo(db).update({ dimse: { port } });
    const remoteId = (await new RemotesRepo(db).save({ kind: 'dimse', name: 'orthanc', config: { aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort } }, Date.now())).id;
    db.close();

    const server = await startServe(['--data', data, '--library', lib, '--no-auth']);
    try {
      expect(server.stdout()).toMatch(new RegExp(`DICOM listener SAFEKEEP on 127\\.0\\.0\\.1:${port} .*reports from 1 DIMSE remote`));
      const api = async <T>(name: string, args: unknown): Promise<T> => {
        const res = await fetch(`${server.url}/api/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-safekeep-request': '1' }, body: JSON.stringify(args) });
        return ((await res.json()) as { value: T }).value;
      };
      expect(await api('dimse-listener', {})).toMatchObject({ state: 'listening', aeTitle: 'SAFEKEEP', host: '127.0.0.1', port });
      const job = await api<{ requestIds: number[] }>('outgoing-create', { remoteId, selection: { paths: [lib] }, form: 'flat' });
      const done = await pollUntil('the request to complete', 20_000, async () => {
        const r = await api<OutgoingRequest>('outgoing-get', { id: job.requestIds[0] });
        return r.state === 'done' ? r : undefined;
      });
      expect(done).toMatchObject({ committedCount: 4, failedCount: 2, error: null });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it("commit --report-timeout: the Test's report gets through, the request's does not: exit 3 with what the archive must reach; resume after fixing keeps waiting, exit 3 again", async () => {
    const data = path.join(root, 'timeout');
    const { port, relay } = await reachableOnce();
    try {
      const args = ['--data', data, '--dimse-port', String(port), '--report-timeout', '2'];
      const r = await runCliToEnd(['commit', lib, '--to', target(), '--quiet', ...args]);
      expect(r.code, r.stderr).toBe(3);
      expect(relay.relayed()).toBe(1);
      const waiting = new RegExp(
        `: working: waiting for the archive's report: no N-EVENT-REPORT \\d+ s after ${orthanc.aeTitle} accepted the N-ACTION at \\d\\d:\\d\\d:\\d\\d; ` +
          `the archive must be able to reach SAFEKEEP at 127\\.0\\.0\\.1:${port} \\(its configuration must list that AE title, host and port\\); Safekeep keeps waiting until \\d{4}-`,
      );
      expect(r.stdout).toMatch(waiting);
      expect(r.stdout).toContain(`Not finished: run "safekeep resume ${args.join(' ')}" later`);
      expect(r.stdout).toMatch(/Committed 0 of 6 instance\(s\) in 1 request\(s\); 0 failed; 6 not verified/);

      // Fixed: Orthanc now reaches Safekeep directly. Its report for that N-ACTION is gone, so the request still waits.
      await pointSafekeepAt(port);
      const again = await runCliToEnd(['resume', '--quiet', ...args]);
      expect(again.code, again.stderr).toBe(3);
      expect(again.stdout).toMatch(waiting);
      expect(again.stdout).toContain(`Not finished: run "safekeep resume ${args.join(' ')}" later`);
    } finally {
      await relay.close();
    }
  });

  it('Ctrl-C during commit: exit 3, the exact resume command, and the request is kept', async () => {
    const data = path.join(root, 'interrupted');
    const { port, relay } = await reachableOnce();
    try {
      const p = spawnCli(['commit', lib, '--to', target(), '--quiet', '--data', data, '--dimse-port', String(port)]);
      await p.waitFor(/Sending 6 instance\(s\) in 1 request\(s\)/);
      p.child.kill('SIGINT');
      const { code } = await p.exited;
      expect(code, p.stderr()).toBe(3);
      expect(p.stdout()).toContain('Stopped (Ctrl-C): nothing is lost, every request is stored');
      expect(p.stdout()).toContain(`Not finished: run "safekeep resume --data ${data} --dimse-port ${port}" later`);
      const status = await runCliToEnd(['status', '--data', data]);
      expect(status.stdout).toMatch(/^\s*1\s+\d+\s+(queued|posting|working)\s/m);
    } finally {
      await relay.close();
    }
  });
});
