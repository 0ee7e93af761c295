/**
 * The store as the services see it: one interface per repository, every method returning a promise, so that
 * a store on a database server (PostgreSQL, issue 13) implements the same ports as the embedded SQLite one.
 *
 * Rules every implementation keeps:
 * - Each method is one atomic unit of work (its own transaction). No method takes a callback that runs
 *   inside a transaction: a server database cannot hold one open across awaits cheaply.
 * - Read-then-write decisions that must not race are made inside one method: a new incoming transaction is
 *   checked for a taken Transaction UID and for back-pressure where it is inserted; a request's state change
 *   can be conditional on its current state (`ifState`: nothing is written, and false comes back, when the
 *   request is no longer in one of those states).
 * - Batch methods stay batch methods (100,000 instances are one call, not 100,000).
 * - Every write announces the tables it touched through `Store.changes` once committed.
 */
import type { ContentCheckRecord, ContentSample, ContentSummary } from '../../../src-shared/content';
import type { DataTable } from '../../../src-shared/contract/events';
import type { InstanceRow, ProblemFile, SeriesRow, StudyRow } from '../../../src-shared/contract/handlers';
import type { CommitmentResult, RequestForm } from '../../../src-shared/commitment/model';
import type { CopyReason } from '../../../src-shared/library';
import type { OutgoingInstance, OutgoingRequest, OutgoingState, Selection } from '../../../src-shared/outgoing';
import type { RemoteInput, RemoteLastTest, RemoteView } from '../../../src-shared/remotes';
import type { InstanceVerdict, ReportScope, ReportStudyRow } from '../../../src-shared/report';
import type { IncomingInstance, IncomingTransaction } from '../../../src-shared/transactions';
import type { ResendEnd, StoreOutcomeRecord } from '../../../src-shared/resend';
import type { BatchCounts, FileRecord, FileState, IndexedFile, LibraryCounts, LibraryRoot, PendingComparison } from '../library/model/files';
import type { InstanceResult, PlannedInstance, PlannedRequest, RequestPatch, UnmatchedReport } from '../engine/model/outgoing';
import type { JobRef, ReportRow, VerifiedFile } from '../report/model/rows';
import type { CreateIncomingOutcome, Decision, IncomingLimits, IncomingLoad, NewIncoming, PendingInstance, ReportDelivery, ReportMeta } from '../incoming/model/transaction';
import type { RemoteWithSecret } from '../remotes/model/remote';
import type * as T from './types';

export type * from './types';

type Page<R> = Promise<{ rows: R[]; total: number }>;

/** The library index: which file holds which instance, and which files were skipped, wait as second copies, or carry a flag. */
/**
 * One node's library (the library is per node: each node indexes the folders it sees, and the same path seen
 * by two nodes is indexed once per node; store/library-node.ts). Every method reads and writes that node's rows.
 */
export interface LibraryStore {
  /** The node this library is. */
  readonly nodeId: string;
  roots(): Promise<LibraryRoot[]>;
  /** Adds a folder; files below it that belonged to a folder above it now belong to it (the closest). */
  addRoot(path: string, now: number): Promise<void>;
  markScanned(path: string, now: number): Promise<void>;
  /** The owner of a file found by scanning `root`: the closest library folder covering it (read once, asked per file). */
  ownerFinder(root: string): Promise<(path: string) => string>;
  /** Forgets a folder; its files another folder covers stay indexed. `kept`: files below it that stay. */
  removeRoot(path: string): Promise<{ forgotten: number; kept: number }>;
  /** size + mtime of every file known under `root`, for incremental rescans. */
  fileStates(root: string): Promise<Map<string, FileState>>;
  /** Writes a batch of scanned files (second copies of an instance wait, never overwrite). */
  applyBatch(records: readonly FileRecord[], now: number): Promise<BatchCounts>;
  /** Removes entries of `root` whose file the last full walk did not see. */
  removeMissing(root: string, seen: ReadonlySet<string>): Promise<number>;
  /** Of these instances, those the libraries of other nodes index, with those nodes (an instance this node cannot re-read). */
  otherNodesHolding(sopInstanceUids: readonly string[]): Promise<Map<string, string[]>>;
  /** One lookup for a batch of instances. */
  findInstances(sopInstanceUids: readonly string[]): Promise<Map<string, IndexedFile>>;
  select(sel: Selection): Promise<IndexedFile[]>;
  countSelection(sel: Selection): Promise<number>;
  studies(o: { search?: string; limit: number; offset: number }): Page<StudyRow>;
  series(studyUid: string): Promise<SeriesRow[]>;
  instancesOfSeries(seriesUid: string, o: { limit: number; offset: number }): Page<InstanceRow>;
  problemCount(): Promise<number>;
  /** "DOE^JANE 20260101 CT CHEST" per study (those with nothing to say are left out). */
  describeStudies(studyUids: readonly string[]): Promise<Map<string, string>>;
  summary(roots?: readonly string[]): Promise<LibraryCounts>;
  problems(o: { roots?: readonly string[]; limit: number; offset: number }): Promise<ProblemFile[]>;
  /** Waiting second copies still to compare with their holder, in path order after `after`. */
  pendingCopies(after: string, limit: number): Promise<PendingComparison[]>;
  /** Records a comparison (null: the index changed meanwhile and it was ignored). */
  settleCopy(c: PendingComparison, outcome: { hash: string; holderHash: string } | { error: string }): Promise<CopyReason | null>;
}

/** Outgoing commitment requests, their jobs and each instance's outcome (verdicts kept in step). */
export interface OutgoingStore {
  /** A job and all its requests, every instance pending, before anything is sent. */
  createJob(o: { remoteId: number; remoteName: string; label: string; form: RequestForm; requests: PlannedRequest[]; now: number }): Promise<{ jobId: number; requestIds: number[] }>;
  /** A request outside any job (the proxy forwarding an incoming transaction). */
  createSingle(remoteId: number, remoteName: string, r: PlannedRequest, now: number): Promise<number>;
  /** A new request of the same job and remote for some instances of an earlier one. */
  createFollowUp(from: OutgoingRequest, r: PlannedRequest, now: number): Promise<number>;
  deleteRequest(id: number): Promise<void>;
  /** Throws NotFoundError ('outgoing request'). */
  get(id: number): Promise<OutgoingRequest>;
  /** By its Transaction UID, or one it had before. */
  findByUid(transactionUid: string): Promise<OutgoingRequest | undefined>;
  findByProxyFor(incomingUid: string): Promise<OutgoingRequest | undefined>;
  rawResponse(id: number): Promise<string | null>;
  /** Changes fields; false when nothing was written (no such request, or not in `ifState`). */
  patch(id: number, p: RequestPatch, ifState?: readonly OutgoingState[]): Promise<boolean>;
  /** Moves to a new Transaction UID (remembering the old one) and patches. */
  changeUid(id: number, newUid: string, patch: RequestPatch, ifState?: readonly OutgoingState[]): Promise<boolean>;
  /** Every instance, in order. */
  instancesOf(id: number): Promise<OutgoingInstance[]>;
  /** Every answered instance's outcome and the request's new state, at once. */
  complete(id: number, results: readonly InstanceResult[], patch: RequestPatch, now: number, ifState?: readonly OutgoingState[]): Promise<boolean>;
  /** Every still-pending instance failed with `detail`, and the request patched. */
  failPending(id: number, detail: string, patch: RequestPatch, now: number, failureReason?: number | null, ifState?: readonly OutgoingState[]): Promise<boolean>;
  /** Every instance pending again, under a new Transaction UID, in `state` (default queued: the lifecycle's word for a resend). */
  reset(id: number, newUid: string, now: number, ifState?: readonly OutgoingState[], state?: OutgoingState): Promise<boolean>;
  /** The instances not committed, as planned (for a follow-up). */
  notCommitted(id: number): Promise<PlannedInstance[]>;
  /** Requests not in a final state, by id. */
  active(): Promise<OutgoingRequest[]>;
  list(o: { limit: number; offset: number; jobId?: number; state?: OutgoingState; remoteId?: number }): Page<OutgoingRequest>;
  instances(id: number, o: { limit: number; offset: number; outcome?: string; failureReason?: number }): Page<OutgoingInstance>;
  totals(): Promise<{ requests: Record<string, number>; instances: { total: number; committed: number; failed: number; pending: number } }>;
}

/** N-EVENT-REPORTs that matched no request Safekeep could complete: kept, never dropped. */
export interface UnmatchedReportStore {
  record(o: { transactionUid: string; callingAe: string; eventType: number; committed: number; failed: number; why: string; payload: unknown; now: number }): Promise<void>;
  /** The latest 1000, newest first. */
  list(): Promise<UnmatchedReport[]>;
  /** The report last kept for this Transaction UID, as it came (its payload), or null. */
  payloadOf(transactionUid: string): Promise<unknown>;
}

/** Reads for reports: verdicts per archive, a job's latest outcomes, requests as sent. */
export interface ReportStore {
  /** The rows of a scope, a batch at a time (no statement left open between batches). */
  rowBatches(scope: ReportScope, batchSize?: number): AsyncIterable<ReportRow[]>;
  /** The committed files of an archive's verdicts, with their size and mtime when verified. */
  committedFiles(remoteId: number, batchSize?: number): AsyncIterable<VerifiedFile[]>;
  totals(scope: ReportScope): Promise<{ instances: number; committed: number; failed: number; pending: number }>;
  /** Indexed library instances with no verdict for the archive. */
  neverAsked(remoteId: number): Promise<number>;
  studies(scope: ReportScope, o: { limit: number; offset: number }): Page<ReportStudyRow>;
  studyCount(scope: ReportScope): Promise<number>;
  failureGroups(scope: ReportScope): Promise<{ code: number | null; text: string | null; count: number }[]>;
  failedRows(scope: ReportScope, limit: number): Promise<{ studyUid: string; sopInstanceUid: string; filePath: string | null; transactionUid: string; code: number | null; detail: string | null }[]>;
  remoteIdsOf(scope: ReportScope): Promise<number[]>;
  requestCount(scope: ReportScope): Promise<number>;
  /** Every archive that has verdicts, with the name it had in its latest request. */
  archives(): Promise<{ remoteId: number; name: string; verdicts: number }[]>;
  job(jobId: number): Promise<JobRef | undefined>;
  jobRunning(jobId: number): Promise<boolean>;
  decisions(jobId: number, start: number, bucketMs: number): Promise<{ bucket: number; outcome: 'committed' | 'failed'; n: number }[]>;
  lastDecidedAt(jobId: number): Promise<number | null>;
  instanceVerdicts(sopInstanceUid: string): Promise<InstanceVerdict[]>;
}

/** An instance's verdict for one archive, as "send missing" and the cross-check read it. */
export interface VerdictBrief {
  outcome: 'committed' | 'failed' | 'pending';
  failureReason: number | null;
  detail: string | null;
  jobId: number | null;
}

/** "Send missing": runs, the store outcome of every instance sent, and the verdicts they act on. */
export interface ResendStore {
  /** The verdicts of these instances for the archive (one indexed lookup per instance, in one call). */
  verdictsOf(remoteId: number, sopInstanceUids: readonly string[]): Promise<Map<string, VerdictBrief>>;
  startRun(o: { remoteId: number; protocol: 'dimse' | 'dicomweb'; rounds: number; selected: number; now: number }): Promise<number>;
  /** Appends store outcomes (a batch is one transaction). */
  recordStoreOutcomes(runId: number, remoteId: number, records: readonly StoreOutcomeRecord[]): Promise<void>;
  finishRun(runId: number, end: ResendEnd, now: number): Promise<void>;
  /** The instances a round's job committed say so, in its history and in the verdicts (those still from that job); how many. */
  markCommittedAfterResend(jobId: number, detail: string): Promise<number>;
  /** The latest store outcome of each of these instances on the archive, if any. */
  latestStoreOutcomes(remoteId: number, sopInstanceUids: readonly string[]): Promise<Map<string, StoreOutcomeRecord>>;
}

/** "Compare content": runs, and every instance's content check, which fails (or restores) its verdict. */
export interface ContentStore {
  startContentRun(o: { remoteId: number; via: ContentSummary['via']; source: string; sample: ContentSample; committed: number; checked: number; now: number }): Promise<number>;
  /** Appends checks (a batch is one transaction, with the verdicts: 'differs' fails one, 'same'/'transcoded' restores one failed for its content). */
  recordContentChecks(runId: number, remoteId: number, records: readonly ContentCheckRecord[]): Promise<void>;
  finishContentRun(runId: number, end: ContentSummary['end'], now: number): Promise<void>;
  /** A run with its counts and the instances not plainly the same (at most `limit`): `runId`, else the archive's latest; null when none. */
  contentRun(remoteId: number, o?: { runId?: number; limit?: number }): Promise<ContentSummary | null>;
}

/** Incoming commitment transactions (DICOMweb and DIMSE) and each instance's outcome. */
export interface IncomingStore {
  /**
   * Stores a new Working transaction, every instance pending, unless its Transaction UID is taken or
   * (with `limits`) too much is being decided; with `report`, where its N-EVENT-REPORT goes (DIMSE).
   */
  create(t: NewIncoming, o?: { limits?: IncomingLimits; report?: ReportMeta }): Promise<CreateIncomingOutcome>;
  /** Forgets a transaction that was never acknowledged. */
  delete(transactionUid: string): Promise<void>;
  setReport(transactionUid: string, r: ReportDelivery): Promise<void>;
  reportMeta(transactionUid: string): Promise<ReportMeta | null>;
  /** Finished DIMSE transactions whose report still has to go out. */
  reportsDue(now: number): Promise<{ uid: string; nextAt: number | null }[]>;
  nextReportAt(): Promise<number | null>;
  get(transactionUid: string): Promise<IncomingTransaction | undefined>;
  pendingInstances(transactionUid: string): Promise<PendingInstance[]>;
  /** Stores outcomes (instances already decided stay as they are); how many changed. */
  recordDecisions(transactionUid: string, decisions: readonly Decision[], now: number): Promise<number>;
  /** Working -> done. */
  complete(transactionUid: string, now: number, expiresAt: number): Promise<void>;
  /** Every instance's outcome, in request order. */
  result(transactionUid: string): Promise<CommitmentResult>;
  workingTransactions(): Promise<string[]>;
  load(): Promise<IncomingLoad>;
  /** Results past their expiry become tombstones (410), tombstones past theirs are forgotten (404). */
  applyRetention(now: number, tombstoneMs: number): Promise<{ expired: number; forgotten: number }>;
  list(o: { limit: number; offset: number; state?: string; source?: string }): Page<IncomingTransaction>;
  instances(transactionUid: string, o: { limit: number; offset: number; outcome?: string; failureReason?: number }): Page<IncomingInstance>;
}

/** Named remote archives (DICOMweb origin servers, DIMSE SCPs). */
export interface RemotesStore {
  list(): Promise<RemoteView[]>;
  /** Throws NotFoundError ('remote'), as withSecret does. */
  get(id: number): Promise<RemoteView>;
  withSecret(id: number): Promise<RemoteWithSecret>;
  findByName(name: string): Promise<RemoteView | undefined>;
  /** Creates (no id) or updates; validated; a name already used by another remote is a conflict. */
  save(input: RemoteInput, now: number, id?: number): Promise<RemoteView>;
  recordTest(id: number, t: RemoteLastTest | null): Promise<void>;
  /** Refused (conflict) while the remote has requests in flight. */
  delete(id: number): Promise<void>;
  /** Writes a remote's stored secret as given (sealing one stored in plain text); nothing else changes. */
  replaceSecret?(id: number, stored: string): Promise<void>;
}

export interface SettingsStore {
  get(): Promise<T.StoredSettings>;
  /** Writes the given top-level keys (server and dimse merged with what is stored); the settings after. */
  update(patch: T.SettingsPatch): Promise<T.StoredSettings>;
}

/** Bearer tokens of the origin server; only a hash of each secret is stored. */
export interface TokenStore {
  create(client: string, now: number, secret?: string): Promise<{ token: T.TokenInfo; secret: string }>;
  list(): Promise<T.TokenInfo[]>;
  revoke(id: number, now: number): Promise<boolean>;
  activeFor(secret: string): Promise<{ id: number; client: string } | undefined>;
  activeCount(): Promise<number>;
}

/** Browser sessions, keyed by the hash of the session id. */
export interface SessionStore {
  create(s: T.NewSession): Promise<void>;
  clientOf(idHash: string, now: number): Promise<string | undefined>;
  delete(idHash: string): Promise<void>;
  deleteForToken(tokenId: number): Promise<number>;
  purgeExpired(now: number): Promise<number>;
}

/** The registry of Safekeep nodes working on this store (issue 13): who is there, and since when it is silent. */
export interface NodeStore {
  /** Joins (or joins again after a restart): the row of `n.id` is written whole. */
  register(n: { id: string; name: string; version: string; addresses: string[]; now: number }): Promise<void>;
  /** The node is alive now (and listens there, when given). */
  beat(id: string, now: number, addresses?: string[]): Promise<void>;
  /** Every node with its last heartbeat and how many outgoing requests it holds. */
  list(): Promise<{ id: string; name: string; version: string; startedAt: number; heartbeatAt: number; addresses: string[]; requests: number }[]>;
}

/**
 * Work that one node must do alone, claimed with a lease: `owner` holds it until `until` (ms since the epoch);
 * a heartbeat renews what a node holds; a lease past its time is free for any node (its node died). Each
 * claim is one atomic conditional write, so two nodes never hold the same work at once.
 */
export interface LeaseStore {
  /** Takes (or keeps) an active outgoing request: true when it is free, already `owner`'s, or its lease expired. */
  claimRequest(id: number, owner: string, now: number, until: number): Promise<boolean>;
  /** Lets go of one request (resent: any node may take it). */
  releaseRequest(id: number): Promise<void>;
  /** Takes the deciding of a Working incoming transaction, on the same rule. */
  claimIncoming(transactionUid: string, owner: string, now: number, until: number): Promise<boolean>;
  /**
   * Working transactions `owner` may take over: its own (a restart), those whose lease ran out, those nobody
   * claimed that came in before `unclaimedBefore` (a node died between storing and claiming one), and those
   * handed over (at once by a node that has not tried them; by one that has, once handed over before `unclaimedBefore`).
   */
  orphanedIncoming(owner: string, now: number, unclaimedBefore: number): Promise<string[]>;
  /** The nodes that decided what they could of a transaction and handed the rest over. */
  triedNodes(transactionUid: string): Promise<string[]>;
  /** `owner` could not read some files: it lets go of the transaction (still Working) for a node that has not tried it. */
  handOver(transactionUid: string, owner: string, now: number): Promise<void>;
  /** Takes the delivery of an incoming transaction's N-EVENT-REPORT, on the same rule. */
  claimReport(transactionUid: string, owner: string, now: number, until: number): Promise<boolean>;
  /** Renews every lease `owner` holds on unfinished work; how many. */
  renew(owner: string, now: number, until: number): Promise<number>;
  /** Lets go of these leases if `owner` still holds them (a node stopping cleanly: others take over at once). */
  releaseHeld(owner: string, held: { requests: readonly number[]; incoming: readonly string[]; reports: readonly string[] }): Promise<void>;
}

/** The tables that committed writes touched, announced in batches. */
export interface DataChangeFeed {
  subscribe(fn: (tables: DataTable[]) => void): () => void;
  /** Announces what is pending now. */
  flush(): void;
}

/** One open store: every repository over the same database. */
export interface Store {
  library: LibraryStore;
  outgoing: OutgoingStore;
  unmatchedReports: UnmatchedReportStore;
  reports: ReportStore;
  incoming: IncomingStore;
  remotes: RemotesStore;
  settings: SettingsStore;
  tokens: TokenStore;
  sessions: SessionStore;
  resend: ResendStore;
  content: ContentStore;
  nodes: NodeStore;
  leases: LeaseStore;
  changes: DataChangeFeed;
  close(): Promise<void>;
}
