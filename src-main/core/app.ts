import path from 'node:path';
import { Hono } from 'hono';
import { createHandlers, type CoreHandlers } from './api/handlers';
import { httpApi } from './api/http-api';
import { Sessions } from './api/sessions';
import type { ScanProgress } from '../../src-shared/library';
import { AppError } from '../../src-shared/contract/errors';
import { systemClock, type Clock } from './clock';
import { ChangeBatcher, EventBus } from './events';
import { HeaderReaderPool } from './library/header-pool';
import { settleCopies } from './library/copies';
import { scanLibrary, type ScanOptions } from './library/scanner';
import { Authenticator } from './origin/auth';
import { DEFAULT_ORIGIN_CONFIG, type OriginConfig } from './origin/config';
import { LibraryPolicy, type LibraryPolicyOptions } from './origin/library-policy';
import type { CommitmentPolicy } from './origin/policy';
import { IncomingProcessor } from './origin/processor';
import { originRoutes } from './origin/routes';
import { openDb, type Db } from './store/db';
import { IncomingRepo } from './store/incoming-repo';
import { LibraryRepo } from './store/library-repo';
import { SessionRepo } from './store/session-repo';
import { TokenRepo } from './store/token-repo';
import { OutgoingRepo } from './store/outgoing-repo';
import { ReportRepo } from './store/report-repo';
import type { ReportDeps } from './report/summary';
import { operatorName, SAFEKEEP_VERSION } from './about';
import { SettingsRepo, type SettingsPatch, type StoredSettings } from './store/settings-repo';
import { RemotesRepo } from './store/remotes-repo';
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
}

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

/**
 * The core: everything Safekeep does, without Electron. The hosts (Electron
 * main, `safekeep serve`, the CLI) create one, start it, and talk to it.
 */
export class SafekeepCore {
  readonly db: Db;
  readonly clock: Clock;
  readonly events = new EventBus();
  readonly library: LibraryRepo;
  readonly incoming: IncomingRepo;
  readonly tokens: TokenRepo;
  /** Browser-mode sessions, in the store. */
  readonly sessions: Sessions;
  readonly remotes: RemotesRepo;
  readonly outgoing: OutgoingRepo;
  readonly reports: ReportRepo;
  readonly engine: Engine;
  readonly drivers: { dicomweb: Driver; dimse?: Driver };
  readonly auth: Authenticator;
  readonly processor: IncomingProcessor;
  readonly originConfig: OriginConfig;
  readonly headers = new HeaderReaderPool();
  readonly settings: SettingsRepo;
  readonly libraryPolicy: LibraryPolicy;
  /** Filled in by the host: its server's URL, and what its command line sets for this run only. */
  readonly runtime = { serverUrl: null as string | null, pendingRestart: new Set<string>(), reportTimeoutMs: null as number | null };
  /** Safekeep's DICOM listener: runs while a DIMSE remote or peer needs it (once the host enabled it). */
  readonly dimseListener: DimseListenerControl;
  /** Transaction UIDs of remote Tests: their reports never touch outgoing requests. */
  readonly probes = new ReportProbes();
  private readonly policies = new Map<string, CommitmentPolicy>();
  private currentPolicyId: string;
  private dimsePolicyId: string;
  private retentionTimer: NodeJS.Timeout | null = null;
  private activeScan: { controller: AbortController; promise: Promise<ScanProgress> } | null = null;

  constructor(readonly options: CoreOptions) {
    this.clock = options.clock ?? systemClock;
    this.db = openDb(options.dataDir);
    this.library = new LibraryRepo(this.db);
    this.incoming = new IncomingRepo(this.db);
    this.tokens = new TokenRepo(this.db);
    this.sessions = new Sessions(new SessionRepo(this.db), this.clock);
    this.remotes = new RemotesRepo(this.db);
    this.outgoing = new OutgoingRepo(this.db);
    this.reports = new ReportRepo(this.db);
    this.drivers = {
      dicomweb: new DicomwebDriver(),
      dimse: new DimseDriver({
        onReport: (r) => Promise.resolve(this.takeReport(r)),
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
      events: this.events,
      clock: this.clock,
      drivers: this.drivers,
    });
    this.auth = new Authenticator(this.tokens, options.authEnabled ?? true);
    for (const t of options.flagTokens ?? []) this.auth.addFlagToken(t.client, t.secret);
    this.settings = new SettingsRepo(this.db);
    const stored = this.settings.get();
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
    this.currentPolicyId = this.resolvePolicy(stored.policy) ? stored.policy : 'library';
    this.dimsePolicyId = this.resolvePolicy(stored.dimsePolicy) ? stored.dimsePolicy : 'library';
    this.dimseListener = new DimseListenerControl({
      settings: this.settings,
      remotes: this.remotes,
      events: this.events,
      createService: (config) => this.createDimseService(config),
    });
    // Waiting requests say where the archive must send its report: keep that current.
    this.events.on('dimse-listener-changed', () => this.recheckDimseWaits());
    this.processor = new IncomingProcessor(this.incoming, (id) => this.resolvePolicy(id), this.events, this.clock, {
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
    return (this.handlerMap ??= createHandlers(this));
  }

  registerPolicy(p: CommitmentPolicy): void {
    this.policies.set(p.id, p);
  }

  usePolicy(id: string, side: 'dicomweb' | 'dimse' = 'dicomweb'): void {
    if (!this.resolvePolicy(id)) throw new AppError('bad-request', `No commitment policy "${id}": use library or forward:<remote id>`);
    if (side === 'dicomweb') this.currentPolicyId = id;
    else this.dimsePolicyId = id;
  }

  /** 'library', or 'forward:<remote id>' for any remote that exists (created on first use). */
  resolvePolicy(id: string): CommitmentPolicy | undefined {
    const known = this.policies.get(id);
    if (known) return known;
    const m = /^forward:(\d+)$/.exec(id);
    if (!m) return undefined;
    const remoteId = Number(m[1]);
    try {
      this.remotes.get(remoteId);
    } catch {
      return undefined;
    }
    const p = new ForwardPolicy(remoteId, { engine: this.engine, outgoing: this.outgoing, remotes: this.remotes });
    this.policies.set(p.id, p);
    return p;
  }

  listPolicies(): { id: string; description: string }[] {
    const ids = ['library', ...this.remotes.list().map((r) => `forward:${r.id}`)];
    return ids.map((id) => ({ id, description: this.resolvePolicy(id)!.describe() }));
  }

  dimsePolicy(): CommitmentPolicy {
    return this.resolvePolicy(this.dimsePolicyId) ?? this.libraryPolicy;
  }

  /** Safekeep as DIMSE SCU: a report for one of its requests (same or new association), or for a remote's Test. */
  takeReport(r: CommitmentReport): number {
    if (this.probes.take(r)) return 0;
    return takeReport({ outgoing: this.outgoing, clock: this.clock, changed: (id) => this.engine.changed(id) }, r);
  }

  /** The running DICOM service (SCP for peers, where archives report back), if the listener runs. */
  get dimse(): DimseService | null {
    return this.dimseListener.service;
  }

  /** How long an accepted DIMSE request waits for its report before it says so: this run's value, else the setting. */
  reportTimeoutMs(): number {
    return this.runtime.reportTimeoutMs ?? this.settings.get().reportTimeoutMinutes * 60_000;
  }

  /** Makes every waiting DIMSE request re-check its report wait now (the timeout or the listener changed). */
  recheckDimseWaits(): void {
    recheckDimseWaits(this);
  }

  /** Starts the DICOM listener with this configuration, whether or not a remote needs it (tests, proxies). */
  async startDimse(config: DimseServiceConfig): Promise<{ port: number }> {
    const s = await this.dimseListener.enable({ overrides: config, force: true });
    if (s.state !== 'listening') throw new AppError('unavailable', `The DICOM listener did not start: ${s.detail}`);
    return { port: s.port };
  }

  private createDimseService(config: DimseServiceConfig): DimseService {
    const changes = new ChangeBatcher<string>(250, (uids) => this.events.emit('incoming-changed', { transactionUids: uids }));
    return new DimseService(config, {
      incoming: this.incoming,
      processor: this.processor,
      remotes: this.remotes,
      clock: this.clock,
      policy: () => this.dimsePolicy(),
      takeReport: (r) => Promise.resolve(this.takeReport(r)),
      changed: (uid) => changes.add(uid),
      log: (m: string) => log('dimse').info(m),
    });
  }

  /**
   * Stores settings and applies what can change live (the DICOM listener restarts on its new AE
   * title, address or port: await `dimseListener.ensure()`); the HTTP server's address applies at the next start.
   */
  updateSettings(patch: SettingsPatch): StoredSettings {
    if (patch.policy !== undefined) this.usePolicy(patch.policy);
    if (patch.dimsePolicy !== undefined) this.usePolicy(patch.dimsePolicy, 'dimse');
    const before = this.settings.get();
    const next = this.settings.update(patch);
    if (patch.retentionDays !== undefined) this.originConfig.resultRetentionMs = next.retentionDays * DAY;
    if (patch.syncWindowSeconds !== undefined) this.originConfig.syncWindowMs = next.syncWindowSeconds * 1000;
    if (patch.acceptedSopClasses !== undefined) this.libraryPolicy.setOptions({ acceptedSopClasses: next.acceptedSopClasses });
    if (patch.server && JSON.stringify(before.server) !== JSON.stringify(next.server)) this.runtime.pendingRestart.add('server');
    if (patch.dimse) void this.dimseListener.ensure();
    if (patch.reportTimeoutMinutes !== undefined && this.runtime.reportTimeoutMs === null) this.recheckDimseWaits();
    this.events.emit('settings-changed', { keys: Object.keys(patch) });
    return next;
  }

  currentPolicy(): CommitmentPolicy {
    return this.policies.get(this.currentPolicyId)!;
  }

  /** The HTTP application: the DICOMweb origin server, and in browser mode the app's API and pages. */
  httpApp(browser?: { rendererDir: string | null }): Hono {
    const app = new Hono();
    app.route(
      '/',
      originRoutes({
        incoming: this.incoming,
        processor: this.processor,
        auth: this.auth,
        config: () => this.originConfig,
        policy: () => this.currentPolicy(),
        clock: this.clock,
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
          rendererDir: browser.rendererDir,
          uploadDir: path.join(this.options.dataDir, 'uploads'),
        }),
      );
    }
    return app;
  }

  /** Resumes work left by a previous run (both directions) and starts the retention schedule. */
  start(): { resumed: number; resumedOutgoing: number } {
    this.headers.warm();
    const resumed = this.processor.resumeAll();
    const resumedOutgoing = this.engine.start();
    this.applyRetention();
    this.retentionTimer = setInterval(() => this.applyRetention(), HOUR);
    this.retentionTimer.unref();
    return { resumed, resumedOutgoing };
  }

  applyRetention(): { expired: number; forgotten: number } {
    this.sessions.purgeExpired();
    const r = this.incoming.applyRetention(this.clock.now(), this.originConfig.tombstoneMs);
    if (r.expired + r.forgotten > 0) this.events.emit('incoming-changed', { transactionUids: [] });
    return r;
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
        this.events.emit('scan-progress', p);
      },
    }).finally(() => {
      this.activeScan = null;
      this.events.emit('library-changed', { roots });
    });
    this.activeScan = { controller, promise };
    return promise;
  }

  /**
   * Forgets a library folder (files another folder covers stay indexed). A waiting second copy that takes
   * over a forgotten file may need its bytes compared with the others: done afterwards.
   */
  removeLibraryRoot(path: string): { removed: number; kept: number } {
    const { forgotten, kept } = this.library.removeRoot(path);
    this.events.emit('library-changed', { roots: [path] });
    const settling = settleCopies(this.library, this.stopping.signal)
      .then((c) => c.duplicates + c.conflicts > 0 && this.events.emit('library-changed', { roots: [path] }))
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
  revokeToken(id: number): boolean {
    if (!this.tokens.revoke(id, this.clock.now())) return false;
    this.sessions.endForToken(id);
    return true;
  }

  /** Proves that a remote is reachable and accepts our credentials; the message says exactly what happened. */
  async testRemote(id: number): Promise<{ ok: boolean; message: string; elapsedMs: number }> {
    const remote = this.remotes.withSecret(id);
    const driver = remote.kind === 'dicomweb' ? this.drivers.dicomweb : this.drivers.dimse;
    if (!driver) throw new AppError('bad-request', `Remotes of kind ${remote.kind} are not supported yet`);
    const t = performance.now();
    const r = await driver.test(remote);
    // Kept, so that the Remotes list and the Verify dialog can warn about a remote that failed its Test.
    this.remotes.recordTest(id, { ok: r.ok, message: r.message, at: this.clock.now() });
    this.events.emit('remotes-changed', { ids: [id] });
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
    this.db.close();
  }
}
