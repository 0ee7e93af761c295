import fs from 'node:fs';
import path from 'node:path';
import type { Core } from '../../src-main/core/host/compose';
import { ALL_WORK, openHost, type Host } from '../../src-main/core/host/host';
import type { CoreOptions } from '../../src-main/core/host/options';
import type { RunningHttpServer } from '../../src-main/core/http/server';
import { systemScheduler, type Scheduler, type Timer } from '../../src-main/core/scheduler';
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
  /** The running Safekeep, started like `serve` starts it; tests call its handlers (`host.call`). */
  host: Host;
  /** The composed core (host.core), for tests that look inside: services, the store. */
  core: Core;
  server: RunningHttpServer;
  url: string;
  libraryDir: string;
  dataDir: string;
  instances: GeneratedInstance[];
  close(): Promise<void>;
}

/** A real Safekeep with a scanned library, through the host start-up, serving HTTP on an ephemeral loopback port. */
export async function startOrigin(
  o: Partial<CoreOptions> & { library?: { studies: number; seriesPerStudy: number; instancesPerSeries: number } } = {},
): Promise<OriginHarness> {
  const root = tempDir();
  const libraryDir = path.join(root, 'library');
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(libraryDir);
  const instances = makeLibrary(libraryDir, o.library ?? { studies: 2, seriesPerStudy: 2, instancesPerSeries: 3 });
  const host = await openHost({
    dataDir,
    flagTokens: [
      { client: 'alice', secret: 'alice-secret' },
      { client: 'bob', secret: 'bob-secret' },
    ],
    ...o,
  });
  await host.call('library-scan', { paths: [libraryDir] });
  const { server } = await host.start({ ...ALL_WORK, http: { host: '127.0.0.1', port: 0 } });
  return {
    host,
    core: host.core,
    server: server!,
    url: server!.url,
    libraryDir,
    dataDir,
    instances,
    close: async () => {
      await host.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
