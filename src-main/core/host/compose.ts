import fs from 'node:fs';
import path from 'node:path';
import type tls from 'node:tls';
import { redactUrls } from '../../../src-shared/redact';
import { Hono } from 'hono';
import { operatorName, SAFEKEEP_VERSION } from '../about';
import { createHandlers, type CoreHandlers } from '../api/handlers';
import { installGuards } from '../api/guards';
import { httpApi, type BrowserModeOptions } from '../api/http-api';
import { auditedHandlers } from '../api/audited-handlers';
import type { SyslogTarget } from '../audit/syslog';
import { AuditTrail } from '../audit/trail';
import { Sessions } from '../api/sessions';
import { systemScheduler, type Clock, type Scheduler } from '../scheduler';
import { DimseListenerControl } from '../dimse/listener-control';
import { ReportProbes, reportFromPayload } from '../dimse/report-probes';
import { EventBus } from '../events';
import { HeaderReaderPool } from '../library/header-pool';
import { log } from '../log';
import { DEFAULT_ORIGIN_CONFIG, type OriginConfig } from '../incoming/config';
import { ForwardPolicy } from '../incoming/forward-policy';
import { DimseScp } from '../incoming/dimse-scp';
import { LibraryPolicy } from '../incoming/library-policy';
import { originRoutes } from '../origin/routes';
import { AccessService } from '../services/access';
import { IncomingService } from '../services/incoming';
import { LibraryService } from '../services/library';
import { MigrationService } from '../services/migration';
import { OutgoingService } from '../services/outgoing';
import { PolicyRegistry } from '../services/policies';
import { RemotesService } from '../services/remotes';
import { ReportsService } from '../services/reports';
import { DAY_MS, SettingsService, type DatabaseChoice } from '../services/settings';
import type { Store, StoredSettings } from '../store/ports';
import { openStore } from '../store/open-store';
import { chosenDatabase, historyImportOf, readDatabaseFile, writeDatabaseFile } from './database-file';
import { importHistoryAtStart } from './import-store';
import { redactDatabaseUrl } from '../store/database-url';
import { checkDataFolder } from '../secrets/data-folder';
import { sealedRemotes, sealPlainSecrets } from '../secrets/sealed-remotes';
import { KeySealer } from '../secrets/sealer';
import { remoteAddress } from '../remotes/address';
import { serverTlsOptions } from '../tls/profile';
import { nodeIdOf } from '../nodes/identity';
import { NodeRuntime } from '../nodes/node-runtime';
import { healthRoute } from '../nodes/health-route';
import { pgChangeFeedOf } from '../store/pg/change-feed';
import type { CoreOptions } from './options';

/**
 * Everything Safekeep does, without Electron, built in one place: the store, one service per domain, the
 * contract's handler map and the HTTP application. Nothing here runs until a host starts it (host/host.ts).
 */
export interface Core {
  readonly options: CoreOptions;
  /** Time and timers, for every service (tests replace it). */
  readonly scheduler: Scheduler;
  /** The scheduler's time, for what only reads it. */
  readonly clock: Clock;
  /** What the core announces to its hosts: data-changed {tables}, scan-progress, dimse-listener-changed. */
  readonly events: EventBus;
  /** The store's ports: for the composition root and tests; services get only the ports they use. */
  readonly store: Store;
  readonly library: LibraryService;
  readonly outgoing: OutgoingService;
  readonly incoming: IncomingService;
  readonly remotes: RemotesService;
  readonly settings: SettingsService;
  readonly policies: PolicyRegistry;
  readonly access: AccessService;
  readonly reports: ReportsService;
  /** Send what an archive lacks and commit again; cross-check with its own query. */
  readonly migration: MigrationService;
  /** Safekeep's DICOM listener: runs while a DIMSE remote or peer needs it, once the host enabled it. */
  readonly dimse: DimseListenerControl;
  /** The contract's handlers (one map shared by both bridges and the CLI). */
  readonly handlers: CoreHandlers;
  /** Security-relevant events as DICOM Audit Messages (data folder, syslog). */
  readonly audit: AuditTrail;
  /** This node among the nodes of the store: its heartbeat and its leases on work (started by the host). */
  readonly node: NodeRuntime;
  /**
   * The HTTP application: the DICOMweb origin server, and with `browser` the app's API and pages; behind the
   * guards (allowed Host names besides loopback and the stored listen address, same-origin state changes).
   */
  httpApp(o?: HttpAppOptions): Hono;
  /**
   * The TLS of this run's listeners (HTTP and DICOM), read from its PEM files on first use; null: plain TCP.
   * Throws an AppError naming a file that cannot be read.
   */
  listenerTls(): tls.TlsOptions | null;
  /** Expired browser sessions go; results past their retention become tombstones, old tombstones are forgotten. */
  applyRetention(): Promise<{ expired: number; forgotten: number }>;
  /** Stops every service (waiting for what is in flight) and closes the store, announcing its last changes. */
  stop(): Promise<void>;
}

export interface HttpAppOptions extends BrowserModeOptions {
  browser?: boolean;
  /** Host names served besides loopback, the stored listen address and setting: the listen host of this run, --allowed-host. */
  allowedHosts?: readonly string[];
}

/** The stored syslog collector; a CA file that cannot be read is logged, and the collector is not used. */
function storedSyslog(s: StoredSettings['auditSyslog']): SyslogTarget | null {
  if (!s) return null;
  try {
    return { url: s.url, ...(s.caFile ? { ca: fs.readFileSync(s.caFile) } : {}) };
  } catch (e) {
    log('audit').error(`syslog collector ${s.url} not used: cannot read its CA file ${s.caFile}: ${(e as Error).message}`);
    return null;
  }
}

/** Opens the store (SQLite in `options.dataDir`, or the PostgreSQL database chosen) and builds the core on it. */
export async function composeCore(options: CoreOptions): Promise<Core> {
  checkDataFolder(options.dataDir);
  // Remote secrets are sealed at rest with a key kept outside the database (secrets/sealer.ts).
  const sealer = options.secretSealer ?? new KeySealer(options.dataDir);
  const database = chosenDatabase(options.dataDir, options.database, sealer);
  // Moving to the database saved in Settings with this workstation's history: copied before anything opens it.
  if (database.url && database.source === 'data-folder' && historyImportOf(options.dataDir).pending) {
    await importHistoryAtStart(options.dataDir, database.url, (options.scheduler ?? systemScheduler).now());
  }
  // The library is per node: this node's own folders and files (store/library-node.ts).
  const nodeId = options.node?.id ?? nodeIdOf(options.dataDir);
  const opened = await openStore({ dataDir: options.dataDir, database: database.url, node: nodeId });
  if (database.url) log('store').info(`store: PostgreSQL ${redactDatabaseUrl(database.url)} (from the ${database.source})`);
  const store = { ...opened, remotes: sealedRemotes(opened.remotes, sealer) };
  try {
    const sealed = await sealPlainSecrets(opened.remotes, sealer);
    if (sealed > 0) log('store').info(`sealed ${sealed} remote secret(s) stored in plain text by an earlier version`);
    const choice: DatabaseChoice = {
      inUse: database,
      stored: () => readDatabaseFile(options.dataDir, sealer),
      store: (url, o) => writeDatabaseFile(options.dataDir, url, sealer, o),
      history: () => historyImportOf(options.dataDir),
    };
    return await composeOn(store, options, await store.settings.get(), choice);
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** The origin server's configuration: the stored settings first; what the host passes (flags, tests) wins. */
function originConfigOf(stored: StoredSettings, options: CoreOptions): OriginConfig {
  return {
    ...DEFAULT_ORIGIN_CONFIG,
    resultRetentionMs: stored.retentionDays * DAY_MS,
    syncWindowMs: stored.syncWindowSeconds * 1000,
    ...options.origin,
  };
}

async function composeOn(store: Store, options: CoreOptions, stored: StoredSettings, database: DatabaseChoice): Promise<Core> {
  const scheduler = options.scheduler ?? systemScheduler;
  const clock: Clock = scheduler;
  const events = new EventBus();
  // Every committed write of the store, whoever made it, reaches the hosts as one batched event.
  store.changes.subscribe((tables) => events.emit('data-changed', { tables }));
  // Several nodes on PostgreSQL: the other nodes' writes too (LISTEN/NOTIFY); their outgoing work may be ours to take.
  let outgoingRef: OutgoingService | undefined;
  const feed = pgChangeFeedOf(store, (tables) => {
    events.emit('data-changed', { tables });
    if (tables.includes('outgoing')) outgoingRef?.engine.beat();
  });
  const headers = new HeaderReaderPool(options.paths?.headerWorkerScript ?? null);
  const originConfig = originConfigOf(stored, options);
  const libraryPolicy = new LibraryPolicy(store.library, headers, {
    acceptedSopClasses: options.libraryPolicy?.acceptedSopClasses ?? stored.acceptedSopClasses,
    capacityPerTransaction: options.libraryPolicy?.capacityPerTransaction ?? null,
  });
  // A remote's Test whose report reaches another node's listener (one AE title for several nodes) is found in the store.
  const probes = new ReportProbes({ scheduler, find: async (uid) => reportFromPayload(await store.unmatchedReports.payloadOf(uid)) });
  // This run's TLS: the host's (flags) or the stored setting, as it was when the core opened.
  const tlsFiles = options.tls !== undefined ? options.tls : stored.tls;
  let tlsMaterial: tls.TlsOptions | null | undefined;
  const listenerTls = () => (tlsMaterial ??= tlsFiles ? serverTlsOptions(tlsFiles) : null);
  // The collector of the command line (serve --audit-syslog) wins over the stored one.
  const audit = new AuditTrail({ dir: path.join(options.dataDir, 'audit'), clock, syslog: storedSyslog(stored.auditSyslog), ...options.audit });

  const node = new NodeRuntime({ nodes: store.nodes, leases: store.leases, scheduler }, { ...options.node, id: store.library.nodeId });

  // The outgoing drivers ask the listener and the settings, which are made after them: bound late.
  let listener: DimseListenerControl | undefined;
  let settings: SettingsService | undefined;
  const outgoing = new OutgoingService({
    outgoing: store.outgoing,
    remotes: store.remotes,
    library: store.library,
    unmatchedReports: store.unmatchedReports,
    scheduler,
    listener: () => listener!.state(),
    knowRemotes: () => listener!.knowRemotes(),
    reportTimeoutMs: () => settings!.reportTimeoutMs(),
    probes,
    ...(options.dimseRetry ? { dimseRetry: options.dimseRetry } : {}),
    leases: { claim: (id) => node.claimRequest(id), release: (id) => node.releaseRequest(id) },
    onFirstSend: (r, remote) =>
      audit.record({
        event: 'commitment-request-sent',
        outcome: 0,
        user: operatorName(),
        address: redactUrls(remoteAddress(remote)),
        object: { id: r.transactionUid, kind: 'transaction-uid', detail: { instances: r.instanceCount, remote: remote.name, protocol: remote.kind } },
      }),
  });
  outgoingRef = outgoing;
  const policies = new PolicyRegistry({
    remotes: store.remotes,
    library: libraryPolicy,
    forward: (remoteId) => new ForwardPolicy(remoteId, { engine: outgoing.engine, outgoing: store.outgoing, remotes: store.remotes }),
  });
  await policies.restore({ dicomweb: stored.policy, dimse: stored.dimsePolicy });
  const incoming = new IncomingService({
    store: store.incoming,
    clock,
    config: originConfig,
    resolvePolicy: (id) => policies.resolve(id),
    policy: (side) => policies.current(side),
    nodes: {
      id: node.id,
      claim: (uid) => node.claimIncoming(uid),
      orphans: () => node.orphanedIncoming(),
      handOffPlan: (uid) => node.handOffPlan(uid),
      handOver: (uid) => node.handOver(uid),
    },
    onTaken: (r, refused) =>
      audit.record({
        event: 'commitment-request-received',
        outcome: refused === null ? 0 : 4,
        user: r.client,
        address: r.requester,
        object: { id: r.transactionUid, kind: 'transaction-uid', detail: { instances: r.instances.length, protocol: r.source } },
        ...(refused === null ? {} : { description: refused }),
      }),
  });
  const dimse = new DimseListenerControl({
    settings: store.settings,
    remotes: store.remotes,
    events,
    initial: stored.dimse,
    createService: (config) =>
      new DimseScp(config, {
        incoming: store.incoming,
        intake: incoming.intake,
        processor: incoming.processor,
        remotes: store.remotes,
        scheduler,
        takeReport: (r) => outgoing.takeReport(r),
        log: (m: string) => log('dimse').info(m),
        tls: listenerTls,
        nodes: { claimReport: (uid) => node.claimReport(uid), onBeat: (fn) => node.onBeat(fn) },
      }),
  });
  listener = dimse;
  // Waiting requests say where the archive must send its report: keep that current.
  events.on('dimse-listener-changed', () => void outgoing.recheckDimseWaits().catch((e) => log('engine').error('re-checking DIMSE waits failed:', e)));
  settings = new SettingsService({
    store: store.settings,
    policies,
    originConfig,
    libraryPolicy,
    listener: dimse,
    recheckDimseWaits: () => outgoing.recheckDimseWaits(),
    authEnabled: options.authEnabled ?? true,
    dataDir: options.dataDir,
    run: { serverUrl: null, pendingRestart: new Set(), reportTimeoutMs: options.reportTimeoutMs ?? null, tls: tlsFiles },
    database,
  });
  const sessions = new Sessions(store.sessions, clock);
  const access = new AccessService({
    tokens: store.tokens,
    sessions,
    clock,
    authEnabled: options.authEnabled ?? true,
    flagTokens: options.flagTokens ?? [],
  });
  const remotes = new RemotesService({ store: store.remotes, clock, ensureListener: () => dimse.ensure(), test: (r) => outgoing.testRemote(r) });
  const reports = new ReportsService({ reports: store.reports, remotes: store.remotes, clock, about: { operator: operatorName(), version: SAFEKEEP_VERSION } });
  const library = new LibraryService({ store: store.library, clock, headers, events, flushChanges: () => store.changes.flush() });
  const migration = new MigrationService({
    resend: store.resend,
    content: store.content,
    library: store.library,
    remotes: store.remotes,
    engine: outgoing.engine,
    clock,
    reportTimeoutMs: () => settings!.reportTimeoutMs(),
    events,
  });
  const handlers = auditedHandlers(
    createHandlers({ library, outgoing, incoming, remotes, settings, access, reports, migration, listener: dimse, audit, node }),
    audit,
  );

  await feed?.start();
  return {
    options,
    scheduler,
    clock,
    events,
    store,
    library,
    outgoing,
    incoming,
    remotes,
    settings,
    policies,
    access,
    reports,
    migration,
    dimse,
    handlers,
    listenerTls,
    audit,
    node,
    httpApp: (o = {}) => {
      const app = new Hono();
      installGuards(app, {
        allowedHosts: async () => {
          const server = (await store.settings.get()).server;
          return [...(o.allowedHosts ?? []), server.host, ...server.allowedHosts];
        },
      });
      app.route('/', healthRoute(node));
      app.route(
        '/',
        originRoutes({
          incoming: store.incoming,
          intake: incoming.intake,
          processor: incoming.processor,
          auth: access.auth,
          config: () => originConfig,
          scheduler,
        }),
      );
      // After the origin server: the app's pages answer every other GET.
      if (o.browser) {
        app.route(
          '/',
          httpApi({
            handlers,
            events,
            auth: access.auth,
            sessions,
            rendererDir: options.paths?.rendererDir ?? null,
            uploadDir: path.join(options.dataDir, 'uploads'),
            clock,
            audit,
            ...(o.maxUploadBytes !== undefined ? { maxUploadBytes: o.maxUploadBytes } : {}),
            ...(o.loginThrottle ? { loginThrottle: o.loginThrottle } : {}),
          }),
        );
      }
      return app;
    },
    applyRetention: async () => {
      await access.purgeExpiredSessions();
      return incoming.applyRetention();
    },
    stop: async () => {
      migration.stop();
      await library.stop();
      await dimse.stop();
      await outgoing.stop();
      await incoming.stop();
      await node.stop(); // after the engine: nothing in flight holds a lease any more
      await feed?.stop();
      await headers.close();
      await audit.close();
      await store.close(); // announces the last changes first
    },
  };
}
