import tls from 'node:tls';
import { AppError } from '../../../src-shared/contract/errors';
import type { DatabaseSource, HistoryImport, Settings } from '../../../src-shared/contract/handlers';
import { redactDatabaseUrl } from '../store/database-url';
import type { ServerTlsFiles } from '../../../src-shared/tls';
import type { DimseListenerState } from '../../../src-shared/dimse';
import type { OriginConfig } from '../incoming/config';
import type { LibraryPolicy } from '../incoming/library-policy';
import type { SettingsPatch, SettingsStore, StoredSettings } from '../store/ports';
import { serverTlsOptions } from '../tls/profile';
import type { PolicyRegistry } from './policies';

export const DAY_MS = 24 * 3600 * 1000;

/** What the host sets for its run only (command-line flags, its server's address): never stored. */
export interface RunSettings {
  /** The URL the host's HTTP server listens on (shown in Settings), once it does. */
  serverUrl: string | null;
  /** Settings changed that apply only at the next start. */
  pendingRestart: Set<string>;
  /** `--report-timeout` of this run; null: the stored setting. */
  reportTimeoutMs: number | null;
  /** The certificate this run's listeners use (flags or the setting when it started); null: plain TCP. */
  tls: ServerTlsFiles | null;
}

export interface SettingsServiceDeps {
  store: SettingsStore;
  policies: PolicyRegistry;
  /** The origin server's configuration, changed live. */
  originConfig: OriginConfig;
  libraryPolicy: LibraryPolicy;
  listener: { state(): DimseListenerState; ensure(): Promise<DimseListenerState> };
  /** Waiting DIMSE requests look at their report wait again (its timeout changed). */
  recheckDimseWaits(): Promise<void>;
  authEnabled: boolean;
  dataDir: string;
  run: RunSettings;
  /** The database of this run, and the data folder's choice for the next start (host/database-file.ts). */
  database: DatabaseChoice;
}

/** The store's database: the one in use (cannot change while running) and the one the data folder names. */
export interface DatabaseChoice {
  inUse: { url: string | null; source: DatabaseSource };
  /** The data folder's database (password opened), null: SQLite. */
  stored(): string | null;
  /** Validates and stores it (null: back to SQLite); `importSqlite`: copy this folder's SQLite history into it at the next start. */
  store(url: string | null, o?: { importSqlite?: boolean }): void;
  /** Whether that copy is pending, and how the last one went. */
  history(): { pending: boolean; last: HistoryImport | null };
}

/** Settings: what is stored, what applies live (policies, retention, the DICOM listener), and the view the app shows. */
export class SettingsService {
  readonly run: RunSettings;

  constructor(private readonly deps: SettingsServiceDeps) {
    this.run = deps.run;
  }

  stored(): Promise<StoredSettings> {
    return this.deps.store.get();
  }

  /** The settings as the app shows them: stored, as they apply now, and what waits for a restart. */
  async view(): Promise<Settings> {
    const s = await this.deps.store.get();
    const { policies, originConfig } = this.deps;
    return {
      server: { host: s.server.host, port: s.server.port, allowedHosts: s.server.allowedHosts, url: this.run.serverUrl, authEnabled: this.deps.authEnabled },
      policy: policies.current('dicomweb').id,
      dimsePolicy: policies.current('dimse').id,
      policies: await policies.list(),
      retentionDays: s.retentionDays,
      syncWindowSeconds: originConfig.syncWindowMs / 1000,
      acceptedSopClasses: s.acceptedSopClasses,
      dimse: { ...s.dimse, listening: this.deps.listener.state().state === 'listening' },
      reportTimeoutMinutes: s.reportTimeoutMinutes,
      auditSyslog: s.auditSyslog,
      dataDir: this.deps.dataDir,
      pendingRestart: [...this.run.pendingRestart],
      tls: { stored: s.tls, inUse: this.run.tls },
      database: this.databaseView(),
    };
  }

  private databaseView(): Settings['database'] {
    const { inUse } = this.deps.database;
    const history = this.deps.database.history();
    return {
      inUse: inUse.url && redactDatabaseUrl(inUse.url),
      source: inUse.source,
      stored: shown(this.deps.database.stored()),
      importAtStart: history.pending,
      lastImport: history.last && { ...history.last, error: history.last.error && redactDatabaseUrl(history.last.error) },
    };
  }

  /**
   * The data folder's database for the next start (the URL cannot live in the database it names). A restart is
   * pending while it differs from the one in use, unless this run's comes from --database or the environment.
   */
  setDatabase(url: string | null, o: { importSqlite?: boolean } = {}): void {
    const { database } = this.deps;
    database.store(url, o);
    if (database.inUse.source !== 'default' && database.inUse.source !== 'data-folder') return;
    if ((database.stored() ?? null) !== database.inUse.url) this.run.pendingRestart.add('database');
    else this.run.pendingRestart.delete('database');
  }

  /**
   * Stores settings and applies what can change live (the DICOM listener restarts on its new AE
   * title, address or port: await `ensure()` of the listener); the HTTP server's address applies at the next start.
   */
  async update(patch: SettingsPatch): Promise<StoredSettings> {
    const { policies, originConfig } = this.deps;
    if (patch.policy !== undefined) await policies.use(patch.policy);
    if (patch.dimsePolicy !== undefined) await policies.use(patch.dimsePolicy, 'dimse');
    if (patch.tls) checkTlsFiles(patch.tls);
    const before = await this.deps.store.get();
    const next = await this.deps.store.update(patch);
    if (patch.retentionDays !== undefined) originConfig.resultRetentionMs = next.retentionDays * DAY_MS;
    if (patch.syncWindowSeconds !== undefined) originConfig.syncWindowMs = next.syncWindowSeconds * 1000;
    if (patch.acceptedSopClasses !== undefined) this.deps.libraryPolicy.setOptions({ acceptedSopClasses: next.acceptedSopClasses });
    // The listen address waits for a restart; the allowed host names apply at once (read per request).
    if (patch.server && (before.server.host !== next.server.host || before.server.port !== next.server.port)) this.run.pendingRestart.add('server');
    if (patch.auditSyslog !== undefined && JSON.stringify(before.auditSyslog) !== JSON.stringify(next.auditSyslog)) this.run.pendingRestart.add('audit');
    if (patch.tls !== undefined) {
      if (JSON.stringify(next.tls) === JSON.stringify(this.run.tls)) this.run.pendingRestart.delete('tls');
      else this.run.pendingRestart.add('tls');
    }
    if (patch.dimse) void this.deps.listener.ensure();
    if (patch.reportTimeoutMinutes !== undefined && this.run.reportTimeoutMs === null) await this.deps.recheckDimseWaits();
    return next;
  }

  /** How long an accepted DIMSE request waits for its report before it says so: this run's value, else the setting. */
  async reportTimeoutMs(): Promise<number> {
    return this.run.reportTimeoutMs ?? (await this.deps.store.get()).reportTimeoutMinutes * 60_000;
  }
}

/** A certificate that cannot serve (unreadable file, key of another certificate) is refused when saved, not at the next start. */
function checkTlsFiles(files: ServerTlsFiles): void {
  const options = serverTlsOptions(files);
  try {
    tls.createSecureContext(options);
  } catch (e) {
    throw new AppError('bad-request', `The TLS certificate ${files.certFile} and key ${files.keyFile} cannot be used: ${(e as Error).message}`);
  }
}

function shown(url: string | null): string | null {
  return url ? redactDatabaseUrl(url) : null;
}
