import fs from 'node:fs';
import path from 'node:path';
import { SafekeepCore, type CoreOptions } from '../../src-main/core/app';
import { systemScheduler, type Scheduler, type Timer } from '../../src-main/core/scheduler';
import { listenHttp, type RunningHttpServer } from '../../src-main/core/http/server';
import { makeLibrary, tempDir, type GeneratedInstance } from './fixtures';

/** A scheduler whose time only moves when the test says so (its timers are real ones). */
export class FakeClock implements Scheduler {
  constructor(public t = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  setTimer(delayMs: number, fn: () => void, options?: { unref?: boolean }): Timer {
    return systemScheduler.setTimer(delayMs, fn, options);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface OriginHarness {
  core: SafekeepCore;
  server: RunningHttpServer;
  url: string;
  libraryDir: string;
  dataDir: string;
  instances: GeneratedInstance[];
  close(): Promise<void>;
}

/** A real Safekeep core with a scanned library, serving HTTP on an ephemeral loopback port. */
export async function startOrigin(
  o: Partial<CoreOptions> & { library?: { studies: number; seriesPerStudy: number; instancesPerSeries: number } } = {},
): Promise<OriginHarness> {
  const root = tempDir();
  const libraryDir = path.join(root, 'library');
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(libraryDir);
  const instances = makeLibrary(libraryDir, o.library ?? { studies: 2, seriesPerStudy: 2, instancesPerSeries: 3 });
  const core = await SafekeepCore.open({
    dataDir,
    flagTokens: [
      { client: 'alice', secret: 'alice-secret' },
      { client: 'bob', secret: 'bob-secret' },
    ],
    ...o,
  });
  await core.scan([libraryDir]);
  await core.start();
  const server = await listenHttp(core.httpApp(), '127.0.0.1', 0);
  return {
    core,
    server,
    url: server.url,
    libraryDir,
    dataDir,
    instances,
    close: async () => {
      await server.close();
      await core.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
