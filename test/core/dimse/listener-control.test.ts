/**
 * The DICOM listener follows what needs it (DIMSE remotes, peers), the saved settings (AE title,
 * listen address, port) and the host's overrides; its state is announced. Real sockets.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { validateArgs } from '../../../src-main/core/api/validate';
import { ALL_WORK, openHost, type Host } from '../../../src-main/core/host/host';
import { ReportProbes } from '../../../src-main/core/dimse/report-probes';
import { echo } from '../../../src-main/core/dimse/scu';
import type { DimseListenerState } from '../../../src-shared/dimse';
import { tempDir } from '../../support/fixtures';
import { freePort } from '../../support/orthanc';
import './dimse-fixtures'; // quiets dcmjs-dimse's own log

describe('DimseListenerControl', () => {
  let root: string;
  let host: Host;
  let announced: DimseListenerState[];

  beforeEach(async () => {
    root = tempDir('safekeep-listener-');
    host = await openHost({ dataDir: path.join(root, 'data') });
    announced = [];
    host.events.on('dimse-listener-changed', (s) => announced.push(s));
  });
  afterEach(async () => {
    await host.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const handlers = () => host.core.handlers;
  const echoTo = (calledAeTitle: string, port: number, callingAeTitle = 'PACS') => echo({ callingAeTitle, called: { aeTitle: calledAeTitle, host: '127.0.0.1', port }, timeoutMs: 5000 });

  it('stays stopped until a DIMSE remote exists, starts with it, stops without it', async () => {
    const port = await freePort();
    await host.core.store.settings.update({ dimse: { port } });
    expect(host.core.dimse.state()).toMatchObject({ state: 'stopped', detail: 'not started by this command' });
    expect(await host.core.dimse.enable()).toMatchObject({ state: 'stopped', detail: 'no DIMSE remote or peer yet: it starts when you add one', port });

    const input = { kind: 'dimse', name: 'PACS', config: { aeTitle: 'PACS', host: '127.0.0.1', port: 104, callingAeTitle: 'WS2' } };
    const pacs = await handlers()['remotes-save'](validateArgs('remotes-save', { input }));
    expect(host.core.dimse.state()).toMatchObject({ state: 'listening', aeTitle: 'SAFEKEEP', otherAeTitles: ['WS2'], host: '127.0.0.1', port, detail: null, restartNeeded: false });
    expect(announced.at(-1)).toEqual(host.core.dimse.state());
    // The archive addresses its report to the calling AE title Safekeep used toward it.
    expect((await echoTo('WS2', port)).status).toBe(0);
    expect((await echoTo('SAFEKEEP', port)).status).toBe(0);
    await expect(echoTo('NOBODY', port)).rejects.toMatchObject({ kind: 'rejected' });

    await handlers()['remotes-delete']({ id: pacs.id });
    expect(host.core.dimse.state().state).toBe('stopped');
    await expect(echoTo('SAFEKEEP', port)).rejects.toMatchObject({ kind: 'connect-failed' });
  });

  it('follows a remote saved straight into the store: its calling AE title is answered once the change is announced', async () => {
    const port = await freePort();
    await host.core.store.settings.update({ dimse: { port } });
    await host.core.dimse.enable({ force: true });
    await expect(echoTo('WS3', port)).rejects.toMatchObject({ kind: 'rejected' });
    const announced = new Promise<void>((resolve) => {
      const off = host.events.on('data-changed', ({ tables }) => tables.includes('remotes') && (off(), resolve()));
    });
    await host.core.store.remotes.save({ kind: 'dimse', name: 'PACS', config: { aeTitle: 'PACS', host: '127.0.0.1', port: 104, callingAeTitle: 'WS3' } }, Date.now());
    await announced;
    // The listener reads the remotes again on the announcement; a store over the network answers that read a moment later.
    await vi.waitFor(async () => expect((await echoTo('WS3', port)).status).toBe(0), { timeout: 3000, interval: 50 });
  });

  it('restarts on a new AE title or port saved in Settings; says why it cannot listen and recovers', async () => {
    const [first, second] = [await freePort(), await freePort()];
    await host.core.store.settings.update({ dimse: { port: first, peers: [{ aeTitle: 'CT1', host: '127.0.0.1', port: 104 }] } });
    await host.core.dimse.enable();
    expect(host.core.dimse.state()).toMatchObject({ state: 'listening', port: first });

    const settings = await handlers()['settings-update']({ dimse: { aeTitle: 'KEEPER', port: second } });
    expect(settings.dimse).toMatchObject({ aeTitle: 'KEEPER', port: second, host: '127.0.0.1', listening: true });
    expect(settings.pendingRestart).toEqual([]);
    expect(host.core.dimse.state()).toMatchObject({ state: 'listening', aeTitle: 'KEEPER', port: second });
    expect((await echoTo('KEEPER', second, 'CT1')).status).toBe(0);
    await expect(echoTo('KEEPER', first, 'CT1')).rejects.toMatchObject({ kind: 'connect-failed' });

    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(first, '127.0.0.1', r));
    try {
      await handlers()['settings-update']({ dimse: { port: first } });
      expect(host.core.dimse.state()).toMatchObject({
        state: 'failed',
        port: first,
        detail: `port ${first} on 127.0.0.1 is in use (by another Safekeep or DICOM program?): choose another DICOM port in Settings`,
      });
      expect((await handlers()['dimse-listener']({})).state).toBe('failed');
    } finally {
      blocker.close();
    }
    await handlers()['settings-update']({ dimse: { port: second } });
    expect(host.core.dimse.state()).toMatchObject({ state: 'listening', port: second });
  });

  it("a remote's Test is red, before any association, while the listener is not running", async () => {
    const id = (await host.core.store.remotes.save({ kind: 'dimse', name: 'PACS', config: { aeTitle: 'PACS', host: '127.0.0.1', port: 104 } }, Date.now())).id;
    expect(await host.core.remotes.test(id)).toMatchObject({
      ok: false,
      message: "Safekeep's DICOM listener is not running, so the archive's N-EVENT-REPORT cannot arrive: not started by this command",
    });
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    try {
      await host.core.store.settings.update({ dimse: { port } });
      expect((await host.core.dimse.enable()).state).toBe('failed');
      expect((await host.core.remotes.test(id)).message).toBe(
        `Safekeep's DICOM listener is not running, so the archive's N-EVENT-REPORT cannot arrive: port ${port} on 127.0.0.1 is in use (by another Safekeep or DICOM program?): choose another DICOM port in Settings`,
      );
    } finally {
      blocker.close();
    }
  });

  it("a command-line override wins for the run; a different saved port then says a restart is needed", async () => {
    const [flag, saved] = [await freePort(), await freePort()];
    await host.core.dimse.enable({ overrides: { port: flag }, force: true });
    expect(host.core.dimse.state()).toMatchObject({ state: 'listening', port: flag, restartNeeded: true });
    await host.core.settings.update({ dimse: { port: saved } });
    await host.core.dimse.ensure();
    expect(host.core.dimse.state()).toMatchObject({ state: 'listening', port: flag, restartNeeded: true });
    await host.core.settings.update({ dimse: { port: flag } });
    expect(await host.core.dimse.ensure()).toMatchObject({ port: flag, restartNeeded: false });
  });
});

describe('ReportProbes', () => {
  it("takes a probe's report, also after the Test gave up waiting, and nothing else", async () => {
    const probes = new ReportProbes();
    const report = (transactionUid: string) => ({ transactionUid, eventTypeId: 2 as const, committed: [], failed: [], callingAeTitle: 'A', sameAssociation: false });
    const p = probes.expect('2.25.1');
    expect(probes.take(report('2.25.2'))).toBe(false);
    expect(probes.take(report('2.25.1'))).toBe(true);
    await expect(p.report).resolves.toMatchObject({ transactionUid: '2.25.1' });
    p.done();
    expect(probes.take(report('2.25.1'))).toBe(true);
    expect(probes.take(report('2.25.3'))).toBe(false);
  });
});
