import { openHost, type Host } from '../core/host/host';
import type { CoreOptions, HostPaths } from '../core/host/options';
import { dataDirOf } from './options';

/** Opens the core for one command, runs it, and stops the core (waiting for what is in flight) whatever happens. */
export type WithHost = (o: { data?: string }, fn: (host: Host) => Promise<void>, run?: Omit<CoreOptions, 'dataDir' | 'paths'>) => Promise<void>;

/** `withHost` for the entry point's paths (the built renderer and header worker). */
export function hostOpener(paths: Partial<HostPaths>): WithHost {
  return async (o, fn, run = {}) => {
    const host = await openHost({ ...run, dataDir: dataDirOf(o), paths });
    try {
      await fn(host);
    } finally {
      await host.stop();
    }
  };
}
