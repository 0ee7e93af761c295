import type { OutgoingProgress } from '../../../src-shared/contract/handlers';
import { reportOverdue, type DimseListenerState } from '../../../src-shared/dimse';
import { isFinal, type OutgoingRequest } from '../../../src-shared/outgoing';
import { describeSituation, type SituationRemote } from '../../../src-shared/outgoing-situation';
import type { Scheduler } from '../scheduler';
import type { ReportProbes } from '../dimse/report-probes';
import type { CommitmentReport } from '../dimse/types';
import type { BackoffPolicy } from '../engine/backoff';
import { DicomwebDriver } from '../engine/dicomweb-driver';
import { DimseDriver } from '../engine/dimse-driver';
import type { Driver } from '../engine/driver';
import { Engine, type EngineDeps, type SubmitOptions } from '../engine/engine';
import { recheckDimseWaits, takeReport } from '../engine/report-intake';
import type { RemoteWithSecret } from '../remotes/model/remote';
import { isNotFound } from '../store/not-found';
import type { LibraryStore, OutgoingStore, RemotesStore, UnmatchedReportStore } from '../store/ports';

export interface OutgoingServiceDeps {
  outgoing: OutgoingStore;
  remotes: RemotesStore;
  library: LibraryStore;
  unmatchedReports: UnmatchedReportStore;
  /** Time and timers: the engine's retries and polls, the drivers' waits. */
  scheduler: Scheduler;
  /** Safekeep's DICOM listener as it is now (where archives send their reports). */
  listener: () => DimseListenerState;
  /** The listener reads the remotes again (before an N-ACTION: the archive's report must be admitted). */
  knowRemotes: () => Promise<void>;
  /** How long an accepted DIMSE request waits for its report before it says so. */
  reportTimeoutMs: () => Promise<number>;
  /** Transaction UIDs of remote Tests: their reports never touch outgoing requests. */
  probes: ReportProbes;
  /** Back-off between N-ACTION attempts after a transient failure (tests shorten it). */
  dimseRetry?: BackoffPolicy;
  /** Told when a request is about to be sent for the first time (the audit trail). */
  onFirstSend?: EngineDeps['onFirstSend'];
  /** The leases of this node (several nodes on one store). */
  leases?: EngineDeps['leases'];
}

/** When `outgoing-progress` calls a set of requests finished. */
export type ProgressUntil = 'final' | 'answered' | 'accepted';

/** The reads of outgoing requests the handlers answer with, as the store gives them. */
export type OutgoingReads = Pick<OutgoingStore, 'get' | 'findByUid' | 'active' | 'list' | 'instances' | 'totals'>;

/**
 * Outgoing commitment requests: the client engine (plan, persist, send, follow to a final state) with its
 * protocol drivers, the reports archives send back for them, and the reads of requests and instances.
 */
export class OutgoingService {
  readonly engine: Engine;
  readonly drivers: { dicomweb: Driver; dimse: Driver };
  readonly read: OutgoingReads;

  constructor(private readonly deps: OutgoingServiceDeps) {
    this.read = deps.outgoing;
    this.drivers = {
      dicomweb: new DicomwebDriver(),
      dimse: new DimseDriver({
        onReport: (r) => this.takeReport(r),
        listener: deps.listener,
        knowRemotes: deps.knowRemotes,
        reportTimeoutMs: deps.reportTimeoutMs,
        probes: deps.probes,
        scheduler: deps.scheduler,
        ...(deps.dimseRetry ? { retryBackoff: deps.dimseRetry } : {}),
      }),
    };
    this.engine = new Engine({ outgoing: deps.outgoing, remotes: deps.remotes, library: deps.library, scheduler: deps.scheduler, drivers: this.drivers, onFirstSend: deps.onFirstSend, ...(deps.leases ? { leases: deps.leases } : {}) });
  }

  /**
   * Runs the engine. 'all': every request left in flight is carried on too (a POST without an answer is
   * checked with a GET first, never posted twice); 'own': only what is submitted or resent from now on.
   */
  start(scope: 'all' | 'own'): Promise<number> {
    return this.engine.start(scope);
  }

  submit(o: SubmitOptions): Promise<{ jobId: number; requestIds: number[]; instances: number }> {
    return this.engine.submit(o);
  }

  cancel(id: number): Promise<OutgoingRequest> {
    return this.engine.cancel(id);
  }

  resend(id: number): Promise<OutgoingRequest> {
    return this.engine.resend(id);
  }

  resendFailed(id: number, exclude?: ReadonlySet<string>): Promise<OutgoingRequest> {
    return this.engine.resendFailed(id, exclude);
  }

  /** Resolves with the request once `until` holds for it (checked at every change). */
  waitUntil(id: number, until: (r: OutgoingRequest) => boolean, signal?: AbortSignal): Promise<OutgoingRequest> {
    return this.engine.waitUntil(id, until, signal);
  }

  /** Resolves once every given request is in a final state. */
  waitFor(requestIds: readonly number[]): Promise<void> {
    return this.engine.waitFor(requestIds);
  }

  /** Looks at the due requests now (after a change made outside the engine); nothing before start(). */
  wake(): void {
    this.engine.wake();
  }

  /** Safekeep as DIMSE SCU: a report for one of its requests (same or new association), or for a remote's Test. */
  async takeReport(r: CommitmentReport): Promise<number> {
    if (this.deps.probes.take(r)) return 0;
    const { outgoing, unmatchedReports: unmatched, scheduler: clock } = this.deps;
    return takeReport({ outgoing, lifecycle: this.engine.lifecycle, unmatched, clock, changed: (id) => this.engine.changed(id) }, r);
  }

  /** Makes every waiting DIMSE request re-check its report wait now (the timeout or the listener changed). */
  recheckDimseWaits(): Promise<void> {
    const { outgoing, remotes, scheduler: clock } = this.deps;
    return recheckDimseWaits({ outgoing, remotes, clock, engine: this.engine });
  }

  /** Proves that a remote is reachable and accepts Safekeep, with the driver of its protocol. */
  testRemote(remote: RemoteWithSecret): Promise<{ ok: boolean; message: string }> {
    return (remote.kind === 'dicomweb' ? this.drivers.dicomweb : this.drivers.dimse).test(remote);
  }

  /** The requests now, what is happening to each, and whether `until` holds for every one. */
  async progress(requestIds: readonly number[], until: ProgressUntil): Promise<OutgoingProgress> {
    const now = this.deps.scheduler.now();
    const requests = await Promise.all(requestIds.map((id) => this.deps.outgoing.get(id)));
    // Each remote looked up once (a job is many requests to one remote).
    const remotes = new Map<number, SituationRemote | null>();
    for (const r of requests) if (!remotes.has(r.remoteId)) remotes.set(r.remoteId, await this.situationRemote(r.remoteId));
    const situations = requests.map((r) => describeSituation(r, remotes.get(r.remoteId)!, now));
    const holds = await this.condition(until, remotes, now);
    return { requests, situations, done: requests.every(holds) };
  }

  private async condition(until: ProgressUntil, remotes: Map<number, SituationRemote | null>, now: number): Promise<(r: OutgoingRequest) => boolean> {
    if (until === 'accepted') return (r) => r.state !== 'queued' && r.state !== 'posting';
    if (until === 'final') return (r) => isFinal(r.state);
    // A DIMSE request whose report is overdue says so, and keeps waiting in the store until its deadline.
    const timeoutMs = await this.deps.reportTimeoutMs();
    return (r) => isFinal(r.state) || (remotes.get(r.remoteId)?.kind === 'dimse' && r.error !== null && reportOverdue(r, timeoutMs, now));
  }

  /** The part of a request's remote that its situation needs; null once the remote is deleted. */
  private async situationRemote(remoteId: number): Promise<SituationRemote | null> {
    try {
      const v = await this.deps.remotes.get(remoteId);
      return { kind: v.kind, deadlineHours: v.config.deadlineHours };
    } catch (e) {
      if (isNotFound(e, 'remote')) return null; // deleted: the engine fails its requests
      throw e;
    }
  }

  async stop(): Promise<void> {
    await this.engine.stop();
  }
}
