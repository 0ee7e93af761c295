import type { DimseListenerState } from '../dimse';
import type { AuditEntry } from '../audit';
import type { ScanProgress } from '../library';
import type { OutgoingInstance, OutgoingRequest } from '../outgoing';
import type { Situation } from '../outgoing-situation';
import type { RemoteTestResult, RemoteView } from '../remotes';
import type { ArchiveRef, InstanceVerdict, ReportCsv, ReportStudyRow, ReportSummary, ReportTimeline, SafeToDelete } from '../report';
import type { ServerTlsFiles } from '../tls';
import type { IncomingInstance, IncomingTransaction } from '../transactions';
import type { ContentSummary } from '../content';
import type { CrossCheckResult } from '../crosscheck';
import type { ResendSummary } from '../resend';
import type { NodeInfo } from '../nodes';
import type { ArgsOf, HandlerName } from './schemas';

export interface Page<T> {
  rows: T[];
  total: number;
}

export interface LibrarySummary {
  studies: number;
  series: number;
  instances: number;
  skipped: number;
  /** Different files under a SOP Instance UID already indexed. */
  conflicts: number;
  /** Byte-identical second copies of indexed files. */
  duplicates: number;
  /** Indexed files with a warning (truncated Pixel Data). */
  flagged: number;
  bytes: number;
  roots: { path: string; addedAt: number; lastScanAt: number | null }[];
}

export interface StudyRow {
  studyUid: string;
  patientName: string | null;
  patientId: string | null;
  studyDate: string | null;
  studyDescription: string | null;
  accessionNumber: string | null;
  modalities: string | null;
  seriesCount: number;
  instanceCount: number;
}

export interface SeriesRow {
  seriesUid: string;
  seriesNumber: number | null;
  seriesDescription: string | null;
  modality: string | null;
  instanceCount: number;
}

export interface InstanceRow {
  sopInstanceUid: string;
  sopClassUid: string;
  instanceNumber: number | null;
  path: string;
  size: number;
}

/** A file that is not an instance of the index (skipped, conflict, duplicate copy), or one indexed with a flag. */
export interface ProblemFile {
  path: string;
  status: 'skipped' | 'conflict' | 'duplicate' | 'flagged';
  /** A SkipReason or a FileFlag (src-shared/library.ts). */
  reason: string;
  message: string;
  size: number;
}

export interface TokenView {
  id: number;
  client: string;
  hint: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface PolicyInfo {
  id: string;
  description: string;
}

export interface Settings {
  /** allowedHosts: host names served besides loopback and the listen address (DNS rebinding guard; live). */
  server: { host: string; port: number; allowedHosts: string[]; url: string | null; authEnabled: boolean };
  /** Policy of the DICOMweb origin server: 'library' or 'forward:<remote id>'. */
  policy: string;
  /** Policy of the DIMSE SCP. */
  dimsePolicy: string;
  policies: PolicyInfo[];
  retentionDays: number;
  syncWindowSeconds: number;
  acceptedSopClasses: string[] | null;
  /** Safekeep's DICOM listener as stored (aeTitle, host, port), whether it listens now, and the DIMSE peers. */
  dimse: { aeTitle: string; host: string; port: number; listening: boolean; peers: { aeTitle: string; host: string; port: number }[] };
  /** An accepted DIMSE request without N-EVENT-REPORT after this long shows "waiting for the archive's report". */
  reportTimeoutMinutes: number;
  /** The audit trail's syslog collector as stored (applies at the next start), or null. */
  auditSyslog: { url: string; caFile: string | null } | null;
  dataDir: string;
  /** Changes that take effect only at the next start (host, ports). */
  pendingRestart: string[];
  /** Safekeep's certificate for its listeners as stored, and what this run uses (null: plain TCP). */
  tls: { stored: ServerTlsFiles | null; inUse: ServerTlsFiles | null };
  /**
   * The store: the PostgreSQL database this run uses (password hidden; null: SQLite in the data folder) and where
   * that came from, and the one the data folder names for the next start (its database.json). `importAtStart`:
   * the data folder's SQLite history is copied into that database at the next start; `lastImport`: how the last
   * such copy went.
   */
  database: { inUse: string | null; source: DatabaseSource; stored: string | null; importAtStart: boolean; lastImport: HistoryImport | null };
}

/** A copy of a data folder's SQLite history into a PostgreSQL database (at a start, or `safekeep import-sqlite`). */
export interface HistoryImport {
  at: number;
  /** Rows copied, or null when it was refused (`error` says why: the database already held data...). */
  rows: number | null;
  error: string | null;
}

/** Where a run's database comes from: --database, SAFEKEEP_DATABASE_URL, the data folder's database.json, or none (SQLite). */
export type DatabaseSource = 'option' | 'environment' | 'data-folder' | 'default';

/** What a scan found below its folders, once it ended. */
export interface LibraryScanResult {
  roots: string[];
  scan: ScanProgress;
  /** The library below these folders after the scan. */
  counts: Omit<LibrarySummary, 'roots'>;
  /** Its skipped, conflicting, duplicate and flagged files (at most 100,000). */
  problems: ProblemFile[];
}

/** Requests as they are now, and whether the end condition asked for holds for every one. */
export interface OutgoingProgress {
  /** In the order asked. */
  requests: OutgoingRequest[];
  /** What is happening to each request now (null once it is final), in the same order. */
  situations: (Situation | null)[];
  done: boolean;
}

export interface FailureGroup {
  /** The DICOM failure reason, or null when the archive gave none. */
  code: number | null;
  /** Safekeep's whole explanation when there is no code. */
  text: string | null;
  count: number;
}

export interface OutgoingTotals {
  requests: Record<string, number>;
  instances: { total: number; committed: number; failed: number; pending: number };
}

/** Everything the renderer may ask of the core: one handler per name, one argument object, plain data back. */
export interface SafekeepResults {
  'library-summary': LibrarySummary;
  'library-scan-state': ScanProgress | null;
  'library-add-folders': { scanId: string | null };
  'library-scan': LibraryScanResult;
  'library-rescan': { scanId: string | null };
  'library-cancel-scan': { cancelled: boolean };
  /** removed: files forgotten; kept: files another library folder still covers (they stay indexed). */
  'library-remove-root': { removed: number; kept: number };
  'library-studies': Page<StudyRow>;
  'library-series': SeriesRow[];
  'library-instances': Page<InstanceRow>;
  'library-problems': Page<ProblemFile>;
  /** How many indexed instances a selection holds (what "Verify selected" would ask about). */
  'library-count-selection': { instances: number };

  'remotes-list': RemoteView[];
  'remotes-save': RemoteView;
  'remotes-delete': Record<string, never>;
  'remotes-test': RemoteTestResult;
  'remotes-find': RemoteView | null;
  'dimse-listener': DimseListenerState;

  'outgoing-create': { jobId: number; requestIds: number[]; instances: number };
  'outgoing-list': Page<OutgoingRequest>;
  'outgoing-get': OutgoingRequest;
  'outgoing-find': OutgoingRequest | null;
  'outgoing-active': OutgoingRequest[];
  'outgoing-progress': OutgoingProgress;
  'outgoing-instances': Page<OutgoingInstance>;
  'outgoing-cancel': OutgoingRequest;
  'outgoing-resend': OutgoingRequest;
  'outgoing-resend-failed': OutgoingRequest;
  'outgoing-totals': OutgoingTotals;

  'migration-send-missing': ResendSummary;
  'migration-cancel': { cancelled: boolean };
  'migration-compare': CrossCheckResult;
  'migration-verify-content': ContentSummary;
  'migration-content-result': ContentSummary | null;

  'incoming-list': Page<IncomingTransaction>;
  'incoming-get': IncomingTransaction;
  'incoming-instances': Page<IncomingInstance>;

  'settings-get': Settings;
  'settings-update': Settings;
  /** Stores the data folder's database for the next start (null: SQLite); the settings after. */
  'settings-database': Settings;
  /** The audit trail, newest first (Settings). */
  'audit-list': AuditEntry[];
  /** The Safekeep nodes on this store (several nodes on one PostgreSQL), and which one answers. */
  'nodes-list': { self: string; nodes: NodeInfo[] };
  'tokens-list': TokenView[];
  'tokens-create': { token: TokenView; secret: string };
  'tokens-revoke': Record<string, never>;

  'report-archives': ArchiveRef[];
  'report-summary': ReportSummary;
  'report-studies': Page<ReportStudyRow>;
  'report-csv': ReportCsv;
  'report-safe-to-delete': SafeToDelete;
  'report-timeline': ReportTimeline;
  'report-instance': InstanceVerdict[];
  'report-failure-reasons': FailureGroup[];
  'report-find-archive': ArchiveRef;
  'report-csv-file': { path: string; rows: number; sha256: string };
  'report-safe-to-delete-file': Omit<SafeToDelete, 'text' | 'filename'> & { path: string };
}

/** The handler map the core implements and both bridges expose. */
export type SafekeepHandlers = { [K in HandlerName]: (args: ArgsOf<K>) => Promise<SafekeepResults[K]> };

// Every handler has a result type and an argument schema, and nothing else.
type _Same = [Exclude<HandlerName, keyof SafekeepResults>, Exclude<keyof SafekeepResults, HandlerName>];
const _check: _Same = [undefined as never, undefined as never];
void _check;
