import { openHost, type Host } from '../core/host/host';
import type { CoreOptions, HostPaths } from '../core/host/options';
import { dataDirOf } from './options';

/** Opens the core for one command, runs it, and stops the core (waiting for what is in flight) whatever happens. */
export type WithHost = (o: { data?: string }, fn: (host: Host) => Promise<void>, run?: Omit<CoreOptions, 'dataDir' | 'paths'>) => Promise<void>;

/**
 * `withHost` for the entry point's paths (the built renderer and header worker); `database`: the global
 * `--database` of this command line (undefined: SAFEKEEP_DATABASE_URL, the data folder's choice, or SQLite).
 */
export function hostOpener(paths: Partial<HostPaths>, database: () => string | undefined = () => undefined): WithHost {
  return async (o, fn, run = {}) => {
    const given = database();
    const host = await openHost({ ...run, dataDir: dataDirOf(o), paths, ...(given !== undefined ? { database: given } : {}) });
    try {
      await fn(host);
    } finally {
      await host.stop();
    }
  };
}
