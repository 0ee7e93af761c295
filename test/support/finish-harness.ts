/**
 * Test support for "send missing" and the cross-check: a Safekeep core in this process with its DICOM
 * listener, a generated library scanned, and a real Orthanc that knows Safekeep (DIMSE, and with
 * `dicomWeb` its DICOMweb plugin) holding the first `stored` instances.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '../../src-main/core/host/compose';
import { ALL_WORK, openHost, type Host } from '../../src-main/core/host/host';
import type { RunningHttpServer } from '../../src-main/core/http/server';
import { setDimseLibraryLogLevel } from '../../src-main/core/dimse/lib';
import { engineCommitPort } from '../../src-main/core/resend/commit-port';
import { sendMissing, type SendMissingDeps, type SendMissingOptions } from '../../src-main/core/resend/send-missing';
import type { Sender, SendItem, SendOptions } from '../../src-main/core/resend/sender';
import { senderFor } from '../../src-main/core/resend/sender-for';
import type { RemoteWithSecret } from '../../src-main/core/remotes/model/remote';
import type { CrossCheckResult } from '../../src-shared/crosscheck';
import type { Selection } from '../../src-shared/outgoing';
import type { ResendProgress, ResendSummary } from '../../src-shared/resend';
import { makeLibrary, tempDir, type GeneratedInstance } from './fixtures';
import { startDimse } from './host';
import { orthancInstanceId, startOrthanc, storeWithStorescu, type OrthancHandle } from './orthanc';

setDimseLibraryLogLevel('silent');

export interface FinishHarness {
  root: string;
  lib: string;
  instances: GeneratedInstance[];
  host: Host;
  core: Core;
  orthanc: OrthancHandle;
  dimsePort: number;
  /**
   * With `gateway`: the base URL of a second Safekeep's DICOMweb origin server (bearer token
   * "gateway-secret") that forwards each commitment request to Orthanc's DIMSE SCP, calling as GATEWAY.
   * (Orthanc's DICOMweb plugin offers no storage commitment.)
   */
  gatewayUrl: string | null;
  /** A DIMSE remote for Orthanc (AE, host, port; Safekeep calls as SAFEKEEP). */
  addDimseRemote(name?: string, extra?: Record<string, unknown>): Promise<number>;
  /** Asks commitment for the selection (default: the whole library) and waits for every answer. */
  commit(remoteId: number, selection?: Selection): Promise<{ jobId: number }>;
  deps(over?: Partial<SendMissingDeps>): SendMissingDeps;
  sendMissing(remoteId: number, o?: Partial<Omit<SendMissingOptions, 'remote'>>, over?: Partial<SendMissingDeps>): Promise<ResendSummary>;
  crossCheck(remoteId: number, selection?: Selection): Promise<CrossCheckResult>;
  remote(id: number): Promise<RemoteWithSecret>;
  /** Orthanc's ID of an instance (null when it does not hold it). */
  orthancId(sopInstanceUid: string): Promise<string | null>;
  close(): Promise<void>;
}

export async function startFinishHarness(
  spec: Parameters<typeof makeLibrary>[1],
  stored: (i: GeneratedInstance, k: number) => boolean,
  o: { dicomWeb?: boolean; gateway?: boolean; beforeScan?: (lib: string, instances: GeneratedInstance[]) => void } = {},
): Promise<FinishHarness> {
  const root = tempDir('safekeep-finish-');
  const lib = path.join(root, 'lib');
  const instances = makeLibrary(lib, spec);
  o.beforeScan?.(lib, instances);
  const host = await openHost({ dataDir: path.join(root, 'data') });
  await host.call('library-scan', { paths: [lib] });
  await host.start(ALL_WORK);
  const core = host.core;
  const dimsePort = (await startDimse(host, { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: 0, peers: [] })).port;
  let gw: { host: Host; port: number; http: RunningHttpServer } | null = null;
  if (o.gateway) {
    const g = await openHost({ dataDir: path.join(root, 'gateway'), flagTokens: [{ client: 'safekeep', secret: 'gateway-secret' }] });
    const http = (await g.start({ ...ALL_WORK, http: { host: '127.0.0.1', port: 0 } })).server!;
    const port = (await startDimse(g, { aeTitle: 'GATEWAY', host: '127.0.0.1', port: 0, peers: [] })).port;
    gw = { host: g, port, http };
  }
  const modalities: Record<string, [string, string, number]> = { safekeep: ['SAFEKEEP', '127.0.0.1', dimsePort] };
  if (gw) modalities.gateway = ['GATEWAY', '127.0.0.1', gw.port];
  const orthanc = await startOrthanc({ modalities, dicomWeb: o.dicomWeb ?? false });
  // Orthanc's reports come on new associations: it must be a known peer.
  const peer = { aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort };
  core.dimse.service!.setPeers([peer]);
  if (gw) {
    gw.host.core.dimse.service!.setPeers([peer]);
    const upstream = await gw.host.core.store.remotes.save({ kind: 'dimse', name: 'orthanc', config: { ...peer, callingAeTitle: 'GATEWAY', timeoutSeconds: 10 } }, Date.now());
    await gw.host.core.policies.use(`forward:${upstream.id}`);
  }
  const toStore = instances.filter(stored);
  if (toStore.length > 0) await storeWithStorescu(toStore.map((i) => i.path), { aeTitle: orthanc.aeTitle, port: orthanc.dicomPort });
  const remote = (id: number) => core.store.remotes.withSecret(id);
  const deps = (over: Partial<SendMissingDeps> = {}): SendMissingDeps => ({
    store: core.store.resend,
    library: core.store.library,
    commit: engineCommitPort(core.outgoing.engine),
    clock: core.clock,
    senderFor,
    ...over,
  });
  let n = 0;
  return {
    root,
    lib,
    instances,
    host,
    core,
    orthanc,
    dimsePort,
    gatewayUrl: gw ? `${gw.http.url}/dicomweb` : null,
    addDimseRemote: async (name = `orthanc ${++n}`, extra = {}) =>
      (
        await core.store.remotes.save(
          { kind: 'dimse', name, config: { aeTitle: orthanc.aeTitle, host: '127.0.0.1', port: orthanc.dicomPort, callingAeTitle: 'SAFEKEEP', timeoutSeconds: 10, ...extra } },
          Date.now(),
        )
      ).id,
    commit: async (remoteId, selection = { paths: [lib] }) => {
      const job = await host.call('outgoing-create', { remoteId, selection, form: 'study' });
      await core.outgoing.waitFor(job.requestIds);
      return { jobId: job.jobId };
    },
    deps,
    // Through the contract's handler, unless a test brings its own parts (a faulty sender).
    sendMissing: async (remoteId, opts = {}, over) =>
      over
        ? sendMissing(deps(over), { remote: await remote(remoteId), selection: { paths: [lib] }, ...opts })
        : opts.onProgress || opts.signal
          ? withProgress(host, opts.onProgress, () => host.call('migration-send-missing', { remoteId, selection: opts.selection ?? { paths: [lib] }, ...(opts.rounds ? { rounds: opts.rounds } : {}) }))
          : host.call('migration-send-missing', { remoteId, selection: opts.selection ?? { paths: [lib] }, ...(opts.rounds ? { rounds: opts.rounds } : {}) }),
    crossCheck: (remoteId, selection = { paths: [lib] }) => host.call('migration-compare', { remoteId, selection }),
    remote,
    orthancId: async (uid) => (await orthancInstanceId(orthanc, uid)) ?? null,
    close: async () => {
      await gw?.host.stop();
      await orthanc.stop();
      await host.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` with the host's resend-progress events passed to `onProgress`. */
async function withProgress<T>(host: Host, onProgress: ((p: ResendProgress) => void) | undefined, fn: () => Promise<T>): Promise<T> {
  const off = host.events.on('resend-progress', (p) => onProgress?.(p));
  try {
    return await fn();
  } finally {
    off();
  }
}

/** A sender for a test's fault: `send` is given the real sender (C-STORE or STOW-RS) to delegate to. */
export function faultySender(send: (real: Sender, items: readonly SendItem[], o: SendOptions) => Promise<void>): (remote: RemoteWithSecret) => Sender {
  return (remote) => {
    const real = senderFor(remote);
    return { protocol: real.protocol, target: real.target, close: () => real.close(), send: (items, o) => send(real, items, o) };
  };
}
