import type { SyslogTarget } from '../audit/syslog';
import type { Scheduler } from '../scheduler';
import type { BackoffPolicy } from '../engine/backoff';
import type { OriginConfig } from '../incoming/config';
import type { LibraryPolicyOptions } from '../incoming/library-policy';
import type { ServerTlsFiles } from '../../../src-shared/tls';
import type { SecretSealer } from '../secrets/sealer';

/**
 * Where the build put the files a host needs at run time. The entry points know their own place in out/
 * and pass these in; tests running from source leave them out.
 */
export interface HostPaths {
  /** The built renderer (out/renderer), served in browser mode; null: the API only. */
  rendererDir: string | null;
  /** The compiled header worker (out/main/header-worker.js); null: headers are read on the calling thread. */
  headerWorkerScript: URL | null;
}

/** What a host decides when it opens the core; everything else comes from the stored settings. */
export interface CoreOptions {
  dataDir: string;
  /**
   * The store of this run: postgres://user:password@host:port/database (`--database`); null: SQLite in `dataDir`;
   * absent: SAFEKEEP_DATABASE_URL, else the data folder's database.json, else SQLite (host/database-file.ts).
   */
  database?: string | null;
  /** Time and timers (tests drive a virtual or a fake one). */
  scheduler?: Scheduler;
  /** Overrides of the origin server's configuration for this run (flags, tests); stored settings fill the rest. */
  origin?: Partial<OriginConfig>;
  /** false only for a server bound to loopback (checked by the host). */
  authEnabled?: boolean;
  /** `--token NAME=SECRET`: valid for this run, never stored. */
  flagTokens?: { client: string; secret: string }[];
  libraryPolicy?: Partial<LibraryPolicyOptions>;
  /** Back-off between N-ACTION attempts after a transient failure (tests shorten it). */
  dimseRetry?: BackoffPolicy;
  /** `--report-timeout` of this run, in ms; without it the stored setting applies. */
  reportTimeoutMs?: number;
  paths?: Partial<HostPaths>;
  /**
   * `serve --tls-cert/--tls-key/--tls-ca` of this run: every listener speaks TLS only (null: plain, whatever is
   * stored). Without it the stored setting applies, read when the core opens (a change applies at the next start).
   */
  tls?: ServerTlsFiles | null;
  /** Seals remote secrets at rest; default: a key from SAFEKEEP_SECRET_KEY or the key file beside the data folder (the desktop app: safeStorage). */
  secretSealer?: SecretSealer;
  /**
   * This node among several on one store (issue 13): how long a claim on work holds without a heartbeat
   * (`serve --lease-seconds`, default 30 s), how often the heartbeat renews it (default a third of it), and the
   * node's id (default: the one kept in the data folder).
   */
  node?: { leaseMs?: number; heartbeatMs?: number; id?: string };
  /** The audit trail: a syslog collector besides the file in the data folder; file rotation (tests shrink it). */
  audit?: { syslog?: SyslogTarget | null; maxFileBytes?: number; keepFiles?: number };
}
