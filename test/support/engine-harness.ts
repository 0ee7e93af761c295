import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '../../src-main/core/host/compose';
import { ALL_WORK, openHost, type Host } from '../../src-main/core/host/host';
import type { Scheduler } from '../../src-main/core/scheduler';
import type { DicomwebRemoteConfig } from '../../src-shared/remotes';
import type { RequestForm } from '../../src-shared/commitment/model';
import { makeLibrary, tempDir, type GeneratedInstance } from './fixtures';

export interface ClientHarness {
  /** The running Safekeep, started like the app starts it; tests call its handlers (`host.call`). */
  host: Host;
  /** The composed core (host.core), for tests that look inside: services, the store. */
  core: Core;
  libraryDir: string;
  instances: GeneratedInstance[];
  addRemote(baseUrl: string, config?: Partial<DicomwebRemoteConfig>, secret?: string | null): Promise<number>;
  /** Sends the whole library (or `selection`) and waits until every request is final. */
  commitAll(remoteId: number, form?: RequestForm, wait?: boolean): Promise<{ jobId: number; requestIds: number[] }>;
  close(): Promise<void>;
}

/** A Safekeep client, in this process, through the host start-up, with a generated library already scanned. */
export async function startClient(
  library = { studies: 2, seriesPerStudy: 2, instancesPerSeries: 3 },
  o: { scheduler?: Scheduler; database?: string } = {},
): Promise<ClientHarness> {
  const root = tempDir('safekeep-client-');
  const libraryDir = path.join(root, 'library');
  fs.mkdirSync(libraryDir);
  const instances = makeLibrary(libraryDir, library);
  const host = await openHost({ dataDir: path.join(root, 'data'), authEnabled: false, ...o });
  await host.call('library-scan', { paths: [libraryDir] });
  await host.start(ALL_WORK);
  let n = 0;
  return {
    host,
    core: host.core,
    libraryDir,
    instances,
    addRemote: async (baseUrl, config = {}, secret = null) =>
      (
        await host.call('remotes-save', {
          input: { kind: 'dicomweb', name: `remote ${++n}`, config: { baseUrl, timeoutSeconds: 5, ...config } as DicomwebRemoteConfig, secret },
        })
      ).id,
    commitAll: async (remoteId, form = 'study', wait = true) => {
      const job = await host.call('outgoing-create', { remoteId, selection: { paths: [libraryDir] }, form });
      if (wait) await host.core.outgoing.waitFor(job.requestIds);
      return job;
    },
    close: async () => {
      await host.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
