/**
 * The data the store ports (ports.ts) take and give, whatever the backend: rows as the services use them.
 */
import type { RequestForm, RequestedInstance } from '../../../src-shared/commitment/model';
import type { LibrarySummary } from '../../../src-shared/contract/handlers';
import type { FileFlag, InstanceHeader, SkipReason } from '../../../src-shared/library';
import type { OutgoingState } from '../../../src-shared/outgoing';
import type { RemoteView } from '../../../src-shared/remotes';
import type { IncomingSource } from '../../../src-shared/transactions';


// ---- library ----

export interface FileState {
  size: number;
  mtimeMs: number;
}

/** One file as the scanner saw it. */
export type FileRecord =
  | { path: string; root: string; size: number; mtimeMs: number; status: 'indexed'; header: InstanceHeader; flag?: { code: FileFlag; message: string } }
  | { path: string; root: string; size: number; mtimeMs: number; status: 'skipped'; reason: SkipReason; message: string };

export interface IndexedFile {
  path: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string;
  seriesUid: string;
  size: number;
  mtimeMs: number;
  /** Kept with a verification request, for its reports. */
  patientId: string | null;
  accessionNumber: string | null;
  studyDate: string | null;
}

/** A library folder as the contract shows it. */
export type LibraryRoot = LibrarySummary['roots'][number];

/** What one batch of scanned files did to the index. */
export interface BatchCounts {
  indexed: number;
  skipped: number;
  conflicts: number;
  compare: number;
  flagged: number;
}

/** The counts of the library summary (the whole library, or below some folders). */
export type LibraryCounts = Omit<LibrarySummary, 'roots'>;

/** A waiting file whose bytes must be compared with the holder's (hashes when already known). */
export interface PendingComparison {
  path: string;
  sopInstanceUid: string;
  hash: string | null;
  holderPath: string;
  holderHash: string | null;
}

// ---- outgoing ----

export interface PlannedInstance {
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string | null;
  seriesUid: string | null;
  filePath: string | null;
  /** What the library index said when the request was planned: the file's size and mtime, and the patient data. */
  fileSize?: number | null;
  fileMtimeMs?: number | null;
  patientId?: string | null;
  accessionNumber?: string | null;
  studyDate?: string | null;
}

export interface PlannedRequest {
  transactionUid: string;
  /** The incoming transaction this request forwards (proxy), if any. */
  proxyFor?: string | null;
  /** The earlier request of the same job whose instances this one resends. */
  followUpOf?: number | null;
  form: RequestForm;
  studyUid: string | null;
  label: string | null;
  instances: PlannedInstance[];
}

export interface InstanceResult {
  seq: number;
  outcome: 'committed' | 'failed';
  failureReason: number | null;
  detail: string | null;
}

/** Fields of a request the engine may change. */
export type RequestPatch = Partial<
  Record<
    'transactionUid' | 'sentAt' | 'workingSince' | 'lastContactAt' | 'nextAttemptAt' | 'completedAt' | 'attempts' | 'polls' | 'httpStatus' | 'error' | 'rawResponse',
    string | number | null
  >
> & { state?: OutgoingState };

/** An N-EVENT-REPORT that matched no request Safekeep could complete, kept as it came. */
export interface UnmatchedReport {
  transactionUid: string;
  callingAe: string;
  eventType: number;
  receivedAt: number;
  why: string;
}

// ---- reports ----

/** One instance row of a report (a verdict, a job's latest outcome, or a request's row). */
export interface ReportRow {
  remoteId: number;
  studyUid: string;
  seriesUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
  filePath: string | null;
  remoteName: string;
  transactionUid: string;
  requestId: number;
  seq: number;
  requestState: OutgoingState;
  outcome: 'committed' | 'failed' | 'pending';
  failureReason: number | null;
  detail: string | null;
  requestedAt: number;
  sentAt: number | null;
  decidedAt: number | null;
  patientId: string | null;
  accessionNumber: string | null;
  studyDate: string | null;
  jobLabel: string | null;
}

/** A committed instance's file as it was when the request was planned. */
export interface VerifiedFile {
  filePath: string | null;
  fileSize: number | null;
  fileMtimeMs: number | null;
}

export interface JobRef {
  id: number;
  label: string;
  createdAt: number;
  remoteId: number;
}

// ---- incoming ----

export interface NewIncoming {
  transactionUid: string;
  source: IncomingSource;
  client: string;
  requester: string;
  mediaType: string | null;
  policy: string;
  instances: readonly RequestedInstance[];
  receivedAt: number;
}

/** The requester of a DIMSE transaction, to send the N-EVENT-REPORT back. */
export interface ReportMeta {
  callingAeTitle: string;
  calledAeTitle: string;
  remoteHost: string;
}

/** Back-pressure: a new transaction is refused while this much is being decided. */
export interface IncomingLimits {
  maxWorking: number;
  maxPending: number;
}

export interface IncomingLoad {
  working: number;
  pending: number;
}

/** Whether a new transaction was stored, or why not (its UID is taken, or too much is being decided). */
export type CreateIncomingOutcome = { created: true } | { created: false; why: 'duplicate' } | { created: false; why: 'busy'; load: IncomingLoad };

export interface Decision {
  seq: number;
  outcome: 'committed' | 'failed';
  failureReason?: number;
  detail?: string;
}

export interface PendingInstance extends RequestedInstance {
  seq: number;
}

export interface ReportDelivery {
  state: 'pending' | 'sent' | 'retrying' | 'failed';
  attempts?: number;
  error?: string | null;
  nextAt?: number | null;
  meta?: ReportMeta;
}

// ---- settings ----

/** Settings the user changes in the app; stored as one JSON value per key. */
export interface StoredSettings {
  /** Commitment policy of the DICOMweb origin server: 'library' or 'forward:<remote id>'. */
  policy: string;
  /** Commitment policy of the DIMSE SCP. */
  dimsePolicy: string;
  retentionDays: number;
  syncWindowSeconds: number;
  acceptedSopClasses: string[] | null;
  /** allowedHosts: host names the HTTP server answers to besides loopback and its listen address (DNS rebinding guard). */
  server: { host: string; port: number; allowedHosts: string[] };
  /** Safekeep's DICOM listener: AE title, bind address (loopback by default), port; and the DIMSE peers. */
  dimse: { aeTitle: string; host: string; port: number; peers: { aeTitle: string; host: string; port: number }[] };
  /** How long an accepted DIMSE request waits for its N-EVENT-REPORT before it says so (it keeps waiting until its deadline). */
  reportTimeoutMinutes: number;
  /** A syslog collector for the audit trail (udp:// or tls://, with a CA file for TLS); applies at the next start. */
  auditSyslog: { url: string; caFile: string | null } | null;
}

/** A change: top-level keys replace, `server` and `dimse` are merged with what is stored. */
export type SettingsPatch = Partial<Omit<StoredSettings, 'server' | 'dimse'>> & {
  server?: Partial<StoredSettings['server']>;
  dimse?: Partial<StoredSettings['dimse']>;
};

// ---- remotes, tokens ----

/** A remote with its secret, for the engine only: never sent to a renderer, never logged. */
export type RemoteWithSecret = RemoteView & { secret: string | null };

export interface TokenInfo {
  id: number;
  client: string;
  /** First characters of the secret, to tell tokens apart without revealing them. */
  hint: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface NewSession {
  idHash: string;
  client: string;
  tokenId: number | null;
  createdAt: number;
  expiresAt: number;
}
