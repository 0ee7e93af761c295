import fs from 'node:fs';
import path from 'node:path';
import { SafekeepCore } from '../../src-main/core/app';
import type { Scheduler } from '../../src-main/core/scheduler';
import type { DicomwebRemoteConfig } from '../../src-shared/remotes';
import type { RequestForm } from '../../src-shared/commitment/model';
import { makeLibrary, tempDir, type GeneratedInstance } from './fixtures';

export interface ClientHarness {
  core: SafekeepCore;
  libraryDir: string;
  instances: GeneratedInstance[];
  addRemote(baseUrl: string, config?: Partial<DicomwebRemoteConfig>, secret?: string | null): Promise<number>;
  /** Sends the whole library (or `selection`) and waits until every request is final. */
  commitAll(remoteId: number, form?: RequestForm, wait?: boolean): Promise<{ jobId: number; requestIds: number[] }>;
  close(): Promise<void>;
}

/** A Safekeep client core, in this process, with a generated library already scanned. */
export async function startClient(library = { studies: 2, seriesPerStudy: 2, instancesPerSeries: 3 }, o: { scheduler?: Scheduler } = {}): Promise<ClientHarness> {
  const root = tempDir('safekeep-client-');
  const libraryDir = path.join(root, 'library');
  fs.mkdirSync(libraryDir);
  const instances = makeLibrary(libraryDir, library);
  const core = await SafekeepCore.open({ dataDir: path.join(root, 'data'), authEnabled: false, ...o });
  await core.scan([libraryDir]);
  await core.start();
  let n = 0;
  return {
    core,
    libraryDir,
    instances,
    addRemote: async (baseUrl, config = {}, secret = null) =>
      (
        await core.remotes.save(
          { kind: 'dicomweb', name: `remote ${++n}`, config: { baseUrl, timeoutSeconds: 5, ...config } as DicomwebRemoteConfig, secret },
          Date.now(),
        )
      ).id,
    commitAll: async (remoteId, form = 'study', wait = true) => {
      const job = await core.engine.submit({ remoteId, selection: { paths: [libraryDir] }, form });
      if (wait) await core.engine.waitFor(job.requestIds);
      return job;
    },
    close: async () => {
      await core.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
