import type { DimseListenerState } from '../../../src-shared/dimse';
import type { ReportScope } from '../../../src-shared/report';
import { inProcessCaller, type Caller } from '../api/call';
import type { ListenerOverrides } from '../dimse/listener-control';
import { listenHttp, type RunningHttpServer } from '../http/server';
import { operatorName } from '../about';
import type { BrowserModeOptions } from '../api/http-api';
import { log } from '../log';
import { repeat, type Timer } from '../scheduler';
import { composeCore, type Core } from './compose';
import type { CoreOptions } from './options';

const HOUR_MS = 3600 * 1000;

/**
 * The parts of Safekeep a host runs. Opening the core starts nothing: each host asks for exactly what it
 * runs (docs/architecture.md, the table of hosts). `start` may be called again to add parts; each runs once.
 */
export interface StartParts {
  /**
   * The outgoing engine. 'all' (the app, `serve`, `resume`): it also carries on every request a previous run
   * left in flight (a POST whose answer was lost is checked with a GET first). 'own' (`commit`, `resend`):
   * only the requests submitted or resent through this host; other jobs wait for `resume` or the app.
   */
  outgoing?: 'all' | 'own';
  /** Incoming transactions a previous run left Working are decided again. */
  incoming?: boolean;
  /** Retention now and hourly: expired sessions, results past their retention, old tombstones. */
  retention?: boolean;
  /** Safekeep's DICOM listener, whenever a DIMSE remote or peer needs it (`force`: always); overrides add up. */
  dimse?: { overrides?: ListenerOverrides; force?: boolean };
  /**
   * The HTTP server: the DICOMweb origin server, and with `browser` the app's API and pages. `allowedHosts`:
   * host names clients may use besides loopback and `host` (--allowed-host); `maxUploadBytes`: --max-upload-mb.
   */
  http?: { host: string; port: number; browser?: boolean; allowedHosts?: string[] } & BrowserModeOptions;
  /** The policy of each side for this run only (`serve --policy`): ids such as 'library' or 'forward:3'. */
  policies?: { dicomweb?: string; dimse?: string };
}

export interface Started {
  /** Incoming transactions picked up again (0 unless this call started `incoming`). */
  resumedIncoming: number;
  /** Outgoing requests in flight picked up again (0 unless this call started `outgoing`). */
  resumedOutgoing: number;
  /** The DICOM listener's state after this call asked for it (null: not asked). */
  dimse: DimseListenerState | null;
  server: RunningHttpServer | null;
}

/**
 * One running Safekeep: the CLI, `serve`, the Electron shell and the test harnesses all open one, start
 * the parts they run, and call the contract's handlers through `call` (validated like the bridges do).
 */
export class Host {
  /** The contract, in-process: the same handlers and argument validation as the IPC and HTTP bridges. */
  readonly call: Caller;
  private readonly running = new Set<'outgoing' | 'incoming' | 'retention'>();
  private server: RunningHttpServer | null = null;
  private retentionTimer: Timer | null = null;
  private started = false;
  /** The engine looks at each heartbeat (hooked once; the node's stop unhooks it). */
  private engineOnBeat = false;

  /**
   * Typed calls beside the contract, for the CLI: a handler answers one value, so a report would be held
   * whole in memory; these write it through `sink` (stdout) a batch of rows at a time.
   */
  readonly streams: {
    reportCsv(scope: ReportScope, sink: (chunk: string) => void): Promise<{ rows: number; sha256: string }>;
    safeToDelete(remoteId: number, sink: (chunk: string) => void): ReturnType<Core['reports']['safeToDeleteTo']>;
  };

  constructor(readonly core: Core) {
    this.call = inProcessCaller(core.handlers);
    // The CLI's exports are in the audit trail like the handlers' (audited-handlers.ts).
    const exported = (event: 'report-exported' | 'safe-to-delete-exported', id: string) =>
      core.audit.record({ event, outcome: 0, user: operatorName(), object: { id, kind: event === 'report-exported' ? 'report-scope' : 'remote' } });
    this.streams = {
      reportCsv: async (scope, sink) => {
        const r = await core.reports.csvTo(scope, sink);
        exported('report-exported', JSON.stringify(scope));
        return r;
      },
      safeToDelete: async (remoteId, sink) => {
        const r = await core.reports.safeToDeleteTo(remoteId, sink);
        exported('safe-to-delete-exported', String(remoteId));
        return r;
      },
    };
  }

  /**
   * A one-time login link's code, for `serve` to print. A typed call, not a handler: it is a secret for the
   * terminal that started Safekeep, never something to hand out over the API.
   */
  loginCode(client: string, ttlMs?: number): string {
    return this.core.access.oneTimeCode(client, ttlMs);
  }

  get events(): Core['events'] {
    return this.core.events;
  }

  /** The handler map, for a bridge that validates and calls by name itself (the IPC of the Electron shell). */
  get handlers(): Core['handlers'] {
    return this.core.handlers;
  }

  async start(parts: StartParts): Promise<Started> {
    const { core } = this;
    if (!this.started) core.audit.record({ event: 'application-start', outcome: 0, user: operatorName() });
    this.started = true;
    const started: Started = { resumedIncoming: 0, resumedOutgoing: 0, dimse: null, server: null };
    // Joins the store's nodes: its heartbeat renews the leases of the work it claims; the engine looks for
    // work a dead node left at each heartbeat.
    await core.node.start();
    if (!this.engineOnBeat) {
      core.node.onBeat(() => core.outgoing.engine.beat());
      this.engineOnBeat = true;
    }
    if (parts.policies?.dicomweb) await core.policies.use(parts.policies.dicomweb, 'dicomweb');
    if (parts.policies?.dimse) await core.policies.use(parts.policies.dimse, 'dimse');
    // The header readers decide incoming requests (the library policy re-reads files): ready ahead of them.
    if (parts.incoming || parts.http) core.library.warm();
    if (parts.incoming && this.once('incoming')) {
      started.resumedIncoming = await core.incoming.resume();
      // A transaction whose node died (its lease ran out) is decided here.
      core.node.onBeat(() => void core.incoming.resume().catch((e) => log('origin').error('taking over incoming transactions failed:', e)));
    }
    if (parts.outgoing && this.once('outgoing')) started.resumedOutgoing = await core.outgoing.start(parts.outgoing);
    if (parts.retention && this.once('retention')) {
      await core.applyRetention();
      this.retentionTimer = repeat(core.scheduler, HOUR_MS, () => void core.applyRetention().catch((e) => log('origin').error('retention failed:', e)));
    }
    if (parts.http) {
      const { host, port, allowedHosts, ...app } = parts.http;
      this.server ??= await listenHttp(core.httpApp({ ...app, allowedHosts: [host, ...(allowedHosts ?? [])] }), host, port, core.listenerTls() ?? undefined);
      core.settings.run.serverUrl = this.server.url;
      core.node.announce(this.server.url);
      started.server = this.server;
    }
    if (parts.dimse) started.dimse = await core.dimse.enable(parts.dimse);
    if (started.dimse?.state === 'listening') core.node.announce(`DICOM ${started.dimse.aeTitle}@${started.dimse.host}:${started.dimse.port}`);
    return started;
  }

  private once(part: 'outgoing' | 'incoming' | 'retention'): boolean {
    if (this.running.has(part)) return false;
    this.running.add(part);
    return true;
  }

  /** Closes the HTTP server, then stops the core (waiting for what is in flight) and closes the store. */
  async stop(): Promise<void> {
    this.retentionTimer?.cancel();
    await this.server?.close();
    this.server = null;
    if (this.started) this.core.audit.record({ event: 'application-stop', outcome: 0, user: operatorName() });
    await this.core.stop();
  }
}

/** Builds the core (store, services, handlers); nothing runs yet. */
export async function openHost(options: CoreOptions): Promise<Host> {
  return new Host(await composeCore(options));
}

/** Opens a host and starts the given parts (stopping it again when a part fails to start). */
export async function startHost(options: CoreOptions, parts: StartParts): Promise<Host> {
  const host = await openHost(options);
  try {
    await host.start(parts);
  } catch (e) {
    await host.stop();
    throw e;
  }
  return host;
}

/** The work of the app and `serve`: both directions (resuming what an earlier run left) and retention. */
export const ALL_WORK: StartParts = { outgoing: 'all', incoming: true, retention: true };
