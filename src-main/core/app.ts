import path from 'node:path';
import { Hono } from 'hono';
import { createHandlers, type CoreHandlers } from './api/handlers';
import { httpApi, type BrowserModeOptions } from './api/http-api';
import { installGuards } from './api/guards';
import { Sessions } from './api/sessions';
import type { ScanProgress } from '../../src-shared/library';
import { AppError } from '../../src-shared/contract/errors';
import { systemClock, type Clock } from './clock';
import { EventBus } from './events';
import { HeaderReaderPool } from './library/header-pool';
import { settleCopies } from './library/copies';
import { scanLibrary, type ScanOptions } from './library/scanner';
import { Authenticator } from './origin/auth';
import { DEFAULT_ORIGIN_CONFIG, type OriginConfig } from './origin/config';
import { LibraryPolicy, type LibraryPolicyOptions } from './origin/library-policy';
import type { CommitmentPolicy } from './origin/policy';
import { IncomingProcessor } from './origin/processor';
import { originRoutes } from './origin/routes';
import type { Db } from './store/db';
import type * as Ports from './store/ports';
import { openSqliteStore, type SqliteStore } from './store/sqlite-store';
import type { ReportDeps } from './report/summary';
import { operatorName, SAFEKEEP_VERSION } from './about';
import { Engine } from './engine/engine';
import { DicomwebDriver } from './engine/dicomweb-driver';
import type { Driver } from './engine/driver';
import { DimseDriver } from './engine/dimse-driver';
import { recheckDimseWaits, takeReport } from './engine/report-intake';
import { ForwardPolicy } from './origin/forward-policy';
import { DimseService, type DimseServiceConfig } from './dimse/service';
import { DimseListenerControl } from './dimse/listener-control';
import { ReportProbes } from './dimse/report-probes';
import type { CommitmentReport } from './dimse/types';
import type { BackoffPolicy } from './engine/backoff';
import { log } from './log';
import { AuditTrail } from './audit/trail';
import { auditedHandlers } from './audit/audited-handlers';
import type { SyslogTarget } from './audit/syslog';

export interface CoreOptions {
  dataDir: string;
  clock?: Clock;
  origin?: Partial<OriginConfig>;
  /** false only for a server bound to loopback (checked by the host). */
  authEnabled?: boolean;
  flagTokens?: { client: string; secret: string }[];
  libraryPolicy?: Partial<LibraryPolicyOptions>;
  /** Back-off between N-ACTION attempts after a transient failure (tests shorten it). */
  dimseRetry?: BackoffPolicy;
  /** The audit trail: a syslog collector besides the file in the data folder; file rotation (tests shrink it). */
  audit?: { syslog?: SyslogTarget | null; maxFileBytes?: number; keepFiles?: number };
}

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

/**
 * The core: everything Safekeep does, without Electron. The hosts (Electron
 * main, `safekeep serve`, the CLI) open one, start it, and talk to it.
 */
export class SafekeepCore {
  /** The SQLite database under the store (tests look inside). */
  readonly db: Db;
  readonly clock: Clock;
  readonly events = new EventBus();
  readonly library: Ports.LibraryStore;
  readonly incoming: Ports.IncomingStore;
  readonly tokens: Ports.TokenStore;
  /** Browser-mode sessions, in the store. */
  readonly sessions: Sessions;
  /** Security-relevant events as DICOM Audit Messages (data folder, syslog). */
  readonly audit: AuditTrail;
  readonly remotes: Ports.RemotesStore;
  readonly outgoing: Ports.OutgoingStore;
  readonly unmatchedReports: Ports.UnmatchedReportStore;
  readonly reports: Ports.ReportStore;
  readonly engine: Engine;
  readonly drivers: { dicomweb: Driver; dimse?: Driver };
  readonly auth: Authenticator;
  readonly processor: IncomingProcessor;
  readonly originConfig: OriginConfig;
  readonly headers = new HeaderReaderPool();
  readonly settings: Ports.SettingsStore;
  readonly libraryPolicy: LibraryPolicy;
  /** Filled in by the host: its server's URL, and what its command line sets for this run only. */
  readonly runtime = { serverUrl: null as string | null, pendingRestart: new Set<string>(), reportTimeoutMs: null as number | null };
  /** Safekeep's DICOM listener: runs while a DIMSE remote or peer needs it (once the host enabled it). */
  readonly dimseListener: DimseListenerControl;
  /** Transaction UIDs of remote Tests: their reports never touch outgoing requests. */
  readonly probes = new ReportProbes();
  private readonly policies = new Map<string, CommitmentPolicy>();
  private currentPolicyId = 'library';
  private dimsePolicyId = 'library';
  private retentionTimer: NodeJS.Timeout | null = null;
  private started = false;
  private activeScan: { controller: AbortController; promise: Promise<ScanProgress> } | null = null;

  /** Opens the store in `options.dataDir` (creating it if needed) and builds the core on it. */
  static async open(options: CoreOptions): Promise<SafekeepCore> {
    const store = openSqliteStore(options.dataDir);
    try {
      const stored = await store.settings.get();
      const core = new SafekeepCore(options, store, stored);
      if (await core.resolvePolicy(stored.policy)) core.currentPolicyId = stored.policy;
      if (await core.resolvePolicy(stored.dimsePolicy)) core.dimsePolicyId = stored.dimsePolicy;
      return core;
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  private constructor(readonly options: CoreOptions, readonly store: SqliteStore, stored: Ports.StoredSettings) {
    this.clock = options.clock ?? systemClock;
    ({ db: this.db, library: this.library, incoming: this.incoming, tokens: this.tokens, remotes: this.remotes } = store);
    ({ outgoing: this.outgoing, unmatchedReports: this.unmatchedReports, reports: this.reports, settings: this.settings } = store);
    this.sessions = new Sessions(store.sessions, this.clock);
    this.audit = new AuditTrail({ dir: path.join(options.dataDir, 'audit'), clock: this.clock, ...options.audit });
    // Every committed write of the store, whoever made it, reaches the hosts as one batched event.
    store.changes.subscribe((tables) => this.events.emit('data-changed', { tables }));
    this.drivers = {
      dicomweb: new DicomwebDriver(),
      dimse: new DimseDriver({
        onReport: (r) => this.takeReport(r),
        listener: () => this.dimseListener.state(),
        reportTimeoutMs: () => this.reportTimeoutMs(),
        probes: this.probes,
        ...(options.dimseRetry ? { retryBackoff: options.dimseRetry } : {}),
      }),
    };
    this.engine = new Engine({
      outgoing: this.outgoing,
      remotes: this.remotes,
      library: this.library,
      clock: this.clock,
      drivers: this.drivers,
    });
    this.auth = new Authenticator(this.tokens, options.authEnabled ?? true);
    for (const t of options.flagTokens ?? []) this.auth.addFlagToken(t.client, t.secret);
    // Stored settings first; what the host passes (command-line flags, tests) wins.
    this.originConfig = {
      ...DEFAULT_ORIGIN_CONFIG,
      resultRetentionMs: stored.retentionDays * DAY,
      syncWindowMs: stored.syncWindowSeconds * 1000,
      ...options.origin,
    };
    this.libraryPolicy = new LibraryPolicy(this.library, this.headers, {
      acceptedSopClasses: options.libraryPolicy?.acceptedSopClasses ?? stored.acceptedSopClasses,
      capacityPerTransaction: options.libraryPolicy?.capacityPerTransaction ?? null,
    });
    this.registerPolicy(this.libraryPolicy);
    this.dimseListener = new DimseListenerControl({
      settings: this.settings,
      remotes: this.remotes,
      events: this.events,
      initial: stored.dimse,
      createService: (config) => this.createDimseService(config),
    });
    // Waiting requests say where the archive must send its report: keep that current.
    this.events.on('dimse-listener-changed', () => void this.recheckDimseWaits().catch((e) => log('engine').error('re-checking DIMSE waits failed:', e)));
    this.processor = new IncomingProcessor(this.incoming, (id) => this.resolvePolicy(id), this.clock, {
      resultRetentionMs: this.originConfig.resultRetentionMs,
    });
  }

  /** What reports read, and who and which Safekeep signs them off. */
  reportDeps(): ReportDeps {
    return { reports: this.reports, remotes: this.remotes, clock: this.clock, about: { operator: operatorName(), version: SAFEKEEP_VERSION } };
  }

  private handlerMap: CoreHandlers | null = null;

  /** The contract's handlers, bound to this core (one map shared by both bridges). */
  handlers(): CoreHandlers {
    return (this.handlerMap ??= auditedHandlers(createHandlers(this), this.audit));
  }

  registerPolicy(p: CommitmentPolicy): void {
    this.policies.set(p.id, p);
  }

  async usePolicy(id: string, side: 'dicomweb' | 'dimse' = 'dicomweb'): Promise<void> {
    if (!(await this.resolvePolicy(id))) throw new AppError('bad-request', `No commitment policy "${id}": use library or forward:<remote id>`);
    if (side === 'dicomweb') this.currentPolicyId = id;
    else this.dimsePolicyId = id;
  }

  /** 'library', or 'forward:<remote id>' for any remote that exists (created on first use). */
  async resolvePolicy(id: string): Promise<CommitmentPolicy | undefined> {
    const known = this.policies.get(id);
    if (known) return known;
    const m = /^forward:(\d+)$/.exec(id);
    if (!m) return undefined;
    const remoteId = Number(m[1]);
    try {
      await this.remotes.get(remoteId);
    } catch {
      return undefined;
    }
    const p = this.policies.get(id) ?? new ForwardPolicy(remoteId, { engine: this.engine, outgoing: this.outgoing, remotes: this.remotes });
    this.policies.set(p.id, p);
    return p;
  }

  async listPolicies(): Promise<{ id: string; description: string }[]> {
    const ids = ['library', ...(await this.remotes.list()).map((r) => `forward:${r.id}`)];
    return Promise.all(ids.map(async (id) => ({ id, description: await (await this.resolvePolicy(id))!.describe() })));
  }

  /** The policy of the DIMSE SCP (resolved when it was chosen). */
  dimsePolicy(): CommitmentPolicy {
    return this.policies.get(this.dimsePolicyId) ?? this.libraryPolicy;
  }

  /** Safekeep as DIMSE SCU: a report for one of its requests (same or new association), or for a remote's Test. */
  async takeReport(r: CommitmentReport): Promise<number> {
    if (this.probes.take(r)) return 0;
    return takeReport({ outgoing: this.outgoing, unmatched: this.unmatchedReports, clock: this.clock, changed: (id) => this.engine.changed(id) }, r);
  }

  /** The running DICOM service (SCP for peers, where archives report back), if the listener runs. */
  get dimse(): DimseService | null {
    return this.dimseListener.service;
  }

  /** How long an accepted DIMSE request waits for its report before it says so: this run's value, else the setting. */
  async reportTimeoutMs(): Promise<number> {
    return this.runtime.reportTimeoutMs ?? (await this.settings.get()).reportTimeoutMinutes * 60_000;
  }

  /** Makes every waiting DIMSE request re-check its report wait now (the timeout or the listener changed). */
  recheckDimseWaits(): Promise<void> {
    return recheckDimseWaits(this);
  }

  /** Starts the DICOM listener with this configuration, whether or not a remote needs it (tests, proxies). */
  async startDimse(config: DimseServiceConfig): Promise<{ port: number }> {
    const s = await this.dimseListener.enable({ overrides: config, force: true });
    if (s.state !== 'listening') throw new AppError('unavailable', `The DICOM listener did not start: ${s.detail}`);
    return { port: s.port };
  }

  private createDimseService(config: DimseServiceConfig): DimseService {
    return new DimseService(config, {
      incoming: this.incoming,
      processor: this.processor,
      remotes: this.remotes,
      clock: this.clock,
      policy: () => this.dimsePolicy(),
      takeReport: (r) => this.takeReport(r),
      log: (m: string) => log('dimse').info(m),
      audit: this.audit,
    });
  }

  /**
   * Stores settings and applies what can change live (the DICOM listener restarts on its new AE
   * title, address or port: await `dimseListener.ensure()`); the HTTP server's address applies at the next start.
   */
  async updateSettings(patch: Ports.SettingsPatch): Promise<Ports.StoredSettings> {
    if (patch.policy !== undefined) await this.usePolicy(patch.policy);
    if (patch.dimsePolicy !== undefined) await this.usePolicy(patch.dimsePolicy, 'dimse');
    const before = await this.settings.get();
    const next = await this.settings.update(patch);
    if (patch.retentionDays !== undefined) this.originConfig.resultRetentionMs = next.retentionDays * DAY;
    if (patch.syncWindowSeconds !== undefined) this.originConfig.syncWindowMs = next.syncWindowSeconds * 1000;
    if (patch.acceptedSopClasses !== undefined) this.libraryPolicy.setOptions({ acceptedSopClasses: next.acceptedSopClasses });
    if (patch.server && JSON.stringify(before.server) !== JSON.stringify(next.server)) this.runtime.pendingRestart.add('server');
    if (patch.dimse) void this.dimseListener.ensure();
    if (patch.reportTimeoutMinutes !== undefined && this.runtime.reportTimeoutMs === null) await this.recheckDimseWaits();
    return next;
  }

  currentPolicy(): CommitmentPolicy {
    return this.policies.get(this.currentPolicyId)!;
  }

  /** The HTTP application: the DICOMweb origin server, and in browser mode the app's API and pages. */
  httpApp(browser?: BrowserModeOptions, security: { allowedHosts?: readonly string[] } = {}): Hono {
    const app = new Hono();
    installGuards(app, {
      allowedHosts: async () => {
        const server = (await this.settings.get()).server;
        return [...(security.allowedHosts ?? []), server.host, ...server.allowedHosts];
      },
    });
    app.route(
      '/',
      originRoutes({
        incoming: this.incoming,
        processor: this.processor,
        auth: this.auth,
        config: () => this.originConfig,
        policy: () => this.currentPolicy(),
        clock: this.clock,
        audit: this.audit,
      }),
    );
    // After the origin server: the app's pages answer every other GET.
    if (browser) {
      app.route(
        '/',
        httpApi({
          core: this,
          handlers: this.handlers(),
          sessions: this.sessions,
          ...browser,
          uploadDir: path.join(this.options.dataDir, 'uploads'),
        }),
      );
    }
    return app;
  }

  /** Resumes work left by a previous run (both directions) and starts the retention schedule. */
  async start(): Promise<{ resumed: number; resumedOutgoing: number }> {
    this.headers.warm();
    const resumed = await this.processor.resumeAll();
    const resumedOutgoing = await this.engine.start();
    await this.applyRetention();
    this.retentionTimer = setInterval(() => void this.applyRetention().catch((e) => log('origin').error('retention failed:', e)), HOUR);
    this.retentionTimer.unref();
    this.audit.record({ event: 'application-start', outcome: 0, user: operatorName() });
    this.started = true;
    return { resumed, resumedOutgoing };
  }

  async applyRetention(): Promise<{ expired: number; forgotten: number }> {
    await this.sessions.purgeExpired();
    return this.incoming.applyRetention(this.clock.now(), this.originConfig.tombstoneMs);
  }

  /** Scans library folders; one scan at a time. */
  scan(roots: string[], options: Omit<ScanOptions, 'signal' | 'onProgress'> = {}): Promise<ScanProgress> {
    if (this.activeScan) throw new AppError('conflict', 'A library scan is already running');
    const controller = new AbortController();
    const promise = scanLibrary(this.library, roots, this.clock, {
      ...options,
      headers: this.headers,
      signal: controller.signal,
      onProgress: (p) => {
        this.lastScanProgress = p;
        // The scan's last writes are announced before the progress that says it ended, so a host that
        // refreshes on "done" sees the whole result.
        if (p.state !== 'running') this.store.changes.flush();
        this.events.emit('scan-progress', p);
      },
    }).finally(() => {
      this.activeScan = null;
    });
    this.activeScan = { controller, promise };
    return promise;
  }

  /**
   * Forgets a library folder (files another folder covers stay indexed). A waiting second copy that takes
   * over a forgotten file may need its bytes compared with the others: done afterwards.
   */
  async removeLibraryRoot(path: string): Promise<{ removed: number; kept: number }> {
    const { forgotten, kept } = await this.library.removeRoot(path);
    const settling = settleCopies(this.library, this.stopping.signal)
      .catch((e) => log('library').error('comparing second copies failed:', e))
      .finally(() => this.settling.delete(settling));
    this.settling.add(settling);
    return { removed: forgotten, kept };
  }

  /** The running (or last) scan's progress, for a renderer that opens mid-scan. */
  currentScan(): ScanProgress | null {
    return this.lastScanProgress;
  }

  private lastScanProgress: ScanProgress | null = null;
  /** Comparisons of second copies started outside a scan; stop() waits for them (they use the store). */
  private readonly settling = new Set<Promise<unknown>>();
  private readonly stopping = new AbortController();

  cancelScan(): boolean {
    if (!this.activeScan) return false;
    this.activeScan.controller.abort();
    return true;
  }

  /** Revokes an access token; the browser sessions opened with it end too. */
  async revokeToken(id: number): Promise<boolean> {
    if (!(await this.tokens.revoke(id, this.clock.now()))) return false;
    await this.sessions.endForToken(id);
    return true;
  }

  /** Proves that a remote is reachable and accepts our credentials; the message says exactly what happened. */
  async testRemote(id: number): Promise<{ ok: boolean; message: string; elapsedMs: number }> {
    const remote = await this.remotes.withSecret(id);
    const driver = remote.kind === 'dicomweb' ? this.drivers.dicomweb : this.drivers.dimse;
    if (!driver) throw new AppError('bad-request', `Remotes of kind ${remote.kind} are not supported yet`);
    const t = performance.now();
    const r = await driver.test(remote);
    // Kept, so that the Remotes list and the Verify dialog can warn about a remote that failed its Test.
    await this.remotes.recordTest(id, { ok: r.ok, message: r.message, at: this.clock.now() });
    return { ...r, elapsedMs: Math.round(performance.now() - t) };
  }

  async stop(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.activeScan?.controller.abort();
    this.stopping.abort();
    await this.activeScan?.promise.catch(() => undefined);
    await Promise.all(this.settling);
    await this.dimseListener.stop();
    await this.engine.stop();
    await this.processor.stop();
    await this.headers.close();
    if (this.started) this.audit.record({ event: 'application-stop', outcome: 0, user: operatorName() });
    await this.audit.close();
    await this.store.close(); // announces the last changes first
  }
}
