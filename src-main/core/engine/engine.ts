import type { RequestForm, RequestedInstance } from '../../../src-shared/commitment/model';
import { AppError } from '../../../src-shared/contract/errors';
import { ACTIVE_STATES, isFinal, type OutgoingRequest, type Selection } from '../../../src-shared/outgoing';
import { coalesced } from '../coalesce';
import { waitForRequest } from './wait';
import { ChangeBatcher } from '../events';
import { MAX_TIMER_MS, type Scheduler, type Timer } from '../scheduler';
import { isNotFound } from '../store/not-found';
import type { LibraryStore, OutgoingStore, RemotesStore } from '../store/ports';
import type { RemoteWithSecret } from '../remotes/model/remote';
import type { Driver, DriverContext } from './driver';
import { OutgoingLifecycle } from './lifecycle';
import { takeUp, type RequestLeases } from './leases';
import { planRequests } from './planner';
import { newTransactionUid } from './transaction-uid';
import { log } from '../log';

/** What a cancelled request's undecided instances say (in Outgoing, the verdicts and every report). */
export const CANCELLED_DETAIL = 'Cancelled before the archive answered: not verified';

/** Changes to requests are announced to those waiting on them at most this often (100,000 updates, a few calls). */
export const REQUEST_CHANGES_INTERVAL_MS = 200;
/** A step that failed inside Safekeep (not the archive's doing) is tried again this much later. */
export const STEP_FAILURE_RETRY_MS = 30_000;

export interface EngineDeps {
  outgoing: OutgoingStore;
  remotes: RemotesStore;
  library: LibraryStore;
  scheduler: Scheduler;
  drivers: { dicomweb: Driver; dimse?: Driver };
  /**
   * Several nodes on one store: a request is stepped only by the node holding its lease (claimed right before
   * each step, renewed by the heartbeat); without it, this engine is alone on its store.
   */
  leases?: RequestLeases;
  /** Told when a request is about to be sent for the first time (the audit trail). */
  onFirstSend?: (r: OutgoingRequest, remote: RemoteWithSecret) => void;
}

export interface SubmitOptions {
  remoteId: number;
  selection: Selection;
  form: RequestForm;
  label?: string;
}

/**
 * The client engine: turns a selection into commitment requests, persists them,
 * and follows each to a final state, across restarts. One scheduler loop picks the
 * requests that are due, within each remote's concurrency limit; the protocol
 * drivers do one exchange at a time and write the next state before announcing it.
 */
export class Engine {
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly perRemote = new Map<number, number>();
  /** Requests changed by the engine, its drivers and reports, batched: the engine's own notification (not the contract's). */
  private readonly changes: ChangeBatcher<number>;
  private readonly watchers = new Set<(ids: readonly number[]) => void>();
  private timer: Timer | null = null;
  private stopped = false;
  private readonly ctx: DriverContext;
  /** Every state change of a request goes through it (lifecycle.ts): the drivers', the engine's and the reports'. */
  readonly lifecycle: OutgoingLifecycle;
  private ticking = false;
  /** One tick at a time: a second one while the first awaits the store could start a request twice. */
  private readonly runTick = coalesced(
    async () => {
      this.ticking = true;
      await this.tick().finally(() => (this.ticking = false));
    },
    (e) => log('engine').error('scheduling failed:', e),
  );

  constructor(private readonly deps: EngineDeps) {
    this.changes = new ChangeBatcher(
      REQUEST_CHANGES_INTERVAL_MS,
      (ids) => {
        for (const w of this.watchers) w(ids);
      },
      deps.scheduler,
    );
    this.lifecycle = new OutgoingLifecycle(deps.outgoing);
    this.ctx = {
      outgoing: deps.outgoing,
      lifecycle: this.lifecycle,
      scheduler: deps.scheduler,
      changed: (id) => this.changes.add(id),
      wake: () => this.schedule(0),
    };
  }

  /** The requests changed since the last call (batched); internal to the core, for those who wait on a request. */
  onRequestsChanged(fn: (ids: readonly number[]) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  /**
   * Starts sending. 'all': picks up every request left in flight too (a POST without an answer is checked
   * with a GET before anything else); 'own': only the requests submitted or resent through this engine from
   * now on (a `commit` leaves other jobs to `resume` and the app). How many requests were picked up.
   */
  async start(scope: 'all' | 'own' = 'all'): Promise<number> {
    if (scope === 'own') {
      this.own = new Set();
      this.started = true;
      return 0;
    }
    this.own = null;
    // A request left 'posting' is checked (GET) before anything else: by the tick, once claimed (leases.ts).
    const active = await this.deps.outgoing.active();
    this.started = true;
    this.schedule(0);
    return active.length;
  }

  /** Plans and persists the requests for a selection (before anything is sent), then starts sending. */
  async submit(o: SubmitOptions): Promise<{ jobId: number; requestIds: number[]; instances: number }> {
    const remote = await this.deps.remotes.get(o.remoteId);
    const files = await this.deps.library.select(o.selection);
    if (files.length === 0) throw new AppError('bad-request', 'The selection holds no indexed instance');
    // Study labels: one read for every study of the job.
    const names = o.form === 'study' ? await this.deps.library.describeStudies([...new Set(files.map((f) => f.studyUid))]) : new Map<string, string>();
    const requests = planRequests(files, {
      form: o.form,
      maxInstancesPerRequest: remote.config.maxInstancesPerRequest,
      describeStudy: (uid) => names.get(uid) ?? null,
    });
    const label = o.label ?? `${files.length} instance(s) to ${remote.name}`;
    const { jobId, requestIds } = await this.deps.outgoing.createJob({
      remoteId: remote.id,
      remoteName: remote.name,
      label,
      form: o.form,
      requests,
      now: this.deps.scheduler.now(),
    });
    requestIds.forEach((id) => this.take(id));
    this.schedule(0);
    return { jobId, requestIds, instances: files.length };
  }

  /**
   * No more polling; the request says cancelled. Instances not decided yet are failed as not verified
   * (never left pending for ever), so that the request, the verdicts and the reports agree.
   */
  async cancel(id: number): Promise<OutgoingRequest> {
    const r = await this.deps.outgoing.get(id);
    if (isFinal(r.state)) throw new AppError('conflict', `Request ${id} is already ${r.state}`);
    const now = this.deps.scheduler.now();
    // Only while it is still in flight: an answer stored meanwhile stays the request's word.
    if (!(await this.lifecycle.failPending(id, ACTIVE_STATES, 'cancel', { detail: CANCELLED_DETAIL, now }, { completedAt: now, nextAttemptAt: null }))) {
      throw new AppError('conflict', `Request ${id} is already ${(await this.deps.outgoing.get(id)).state}`);
    }
    this.changes.add(id);
    return this.deps.outgoing.get(id);
  }

  /** Sends a lost, timed-out, failed or cancelled request again, as a new transaction (new UID). */
  async resend(id: number): Promise<OutgoingRequest> {
    const r = await this.deps.outgoing.get(id);
    if (!isFinal(r.state) || r.state === 'done') {
      throw new AppError('conflict', `Request ${id} is ${r.state}; only lost, failed, timed-out or cancelled requests can be resent`);
    }
    // Only from the state just read: two resends at once send it once.
    if (!(await this.lifecycle.resend(id, r.state, newTransactionUid(), this.deps.scheduler.now()))) {
      throw new AppError('conflict', `Request ${id} is ${(await this.deps.outgoing.get(id)).state} now; it is not resent`);
    }
    // The node that last worked on it may hold its lease still: any node may take it now.
    await this.deps.leases?.release(id);
    this.take(id);
    this.schedule(0);
    return this.deps.outgoing.get(id);
  }

  /** A new request for the instances of a finished request that were not committed (except those in `exclude`: resent already). */
  async resendFailed(id: number, exclude?: ReadonlySet<string>): Promise<OutgoingRequest> {
    const r = await this.deps.outgoing.get(id);
    if (!isFinal(r.state)) throw new AppError('conflict', `Request ${id} is still ${r.state}`);
    const failed = (await this.deps.outgoing.notCommitted(id)).filter((i) => !exclude?.has(i.sopInstanceUid));
    if (failed.length === 0) throw new AppError('bad-request', `Every instance of request ${id} is committed`);
    const newId = await this.deps.outgoing.createFollowUp(
      r,
      {
        transactionUid: newTransactionUid(),
        form: r.form,
        studyUid: r.studyUid,
        label: `${r.label ?? `Request ${id}`} — resend of ${failed.length} not committed`,
        instances: failed,
      },
      this.deps.scheduler.now(),
    );
    this.take(newId);
    this.schedule(0);
    return this.deps.outgoing.get(newId);
  }

  /**
   * One request that forwards an incoming transaction upstream, under the same
   * Transaction UID (the proxy of PS3.18 Annex B.30). Study form when every instance
   * has its study and series, else flat.
   */
  async submitProxy(remoteId: number, transactionUid: string, instances: readonly RequestedInstance[]): Promise<number> {
    const remote = await this.deps.remotes.get(remoteId);
    const study = instances.every((i) => i.studyUid && i.seriesUid);
    const id = await this.deps.outgoing.createSingle(
      remote.id,
      remote.name,
      {
        transactionUid,
        proxyFor: transactionUid,
        form: study ? 'study' : 'flat',
        studyUid: null,
        label: `Forwarding incoming transaction ${transactionUid}`,
        instances: instances.map((i) => ({
          sopClassUid: i.sopClassUid,
          sopInstanceUid: i.sopInstanceUid,
          studyUid: i.studyUid ?? null,
          seriesUid: i.seriesUid ?? null,
          filePath: null,
        })),
      },
      this.deps.scheduler.now(),
    );
    this.take(id);
    this.schedule(0);
    return id;
  }

  /**
   * Forgets a proxied request its upstream never accepted (queued for a retry, or refused), so that the
   * requester may use the same Transaction UID again. False when it moved on meanwhile.
   */
  async withdraw(id: number): Promise<boolean> {
    const r = await this.deps.outgoing.get(id);
    if (r.proxyFor === null || !(await this.lifecycle.move(id, r.state, 'withdraw', { nextAttemptAt: null }))) return false;
    await this.deps.outgoing.deleteRequest(id);
    return true;
  }

  /** Resolves with the request once `until` holds for it (checked at every change, and at every heartbeat). */
  waitUntil(id: number, until: (r: OutgoingRequest) => boolean, signal?: AbortSignal): Promise<OutgoingRequest> {
    this.waited.set(id, (this.waited.get(id) ?? 0) + 1);
    const done = () => {
      const n = (this.waited.get(id) ?? 1) - 1;
      if (n > 0) this.waited.set(id, n);
      else this.waited.delete(id);
    };
    const p = waitForRequest({ get: (x) => this.deps.outgoing.get(x), onChanged: (fn) => this.onRequestsChanged(fn) }, id, until, signal);
    void p.then(done, done);
    return p;
  }

  /** Requests someone waits on, and how many wait. */
  private readonly waited = new Map<number, number>();

  /**
   * A heartbeat: another node may have moved a request this engine waits on, or left work whose lease ran out.
   * Those waiting look again, and the due requests are looked at.
   */
  beat(): void {
    if (this.waited.size > 0) for (const id of this.waited.keys()) this.changes.add(id);
    this.wake();
  }

  /** Looks at the due requests now (after a change made outside the engine); nothing before start(). */
  wake(): void {
    if (this.started) this.schedule(0);
  }

  private started = false;
  /** The requests this engine drives when started with 'own' (null: every request in flight). */
  private own: Set<number> | null = null;

  /** A request submitted or resent through this engine: driven (whatever the scope), and announced. */
  private take(id: number): void {
    this.own?.add(id);
    this.changes.add(id);
  }

  /** Announces a change made outside a driver step (a report that came in). */
  changed(id: number): void {
    this.changes.add(id);
  }

  /** Resolves once every given request is in a final state. */
  async waitFor(requestIds: readonly number[]): Promise<void> {
    await Promise.all(requestIds.map((id) => this.waitUntil(id, (r) => isFinal(r.state))));
  }

  /** Runs the due requests now and plans the next wake-up. */
  private async tick(): Promise<void> {
    if (this.stopped) return;
    const now = this.deps.scheduler.now();
    let next = Infinity;
    // Each remote read once per tick (a 100,000-instance job is a hundred requests to one remote).
    const remotes = new Map<number, RemoteWithSecret | null | undefined>();
    for (const r of await this.deps.outgoing.active()) {
      if (this.stopped) return;
      if (this.inFlight.has(r.id) || (this.own && !this.own.has(r.id))) continue;
      const due = r.nextAttemptAt ?? now;
      if (due > now) {
        next = Math.min(next, due);
        continue;
      }
      if (!remotes.has(r.remoteId)) remotes.set(r.remoteId, await this.remote(r.remoteId));
      const remote = remotes.get(r.remoteId);
      if (remote === undefined) {
        next = Math.min(next, now + STEP_FAILURE_RETRY_MS); // the store failed (logged): looked at again later
        continue;
      }
      if (remote === null) {
        const detail = 'The remote of this request was deleted';
        if (await this.lifecycle.failPending(r.id, r.state, 'refused', { detail, now }, { error: 'The remote was deleted', completedAt: now })) this.changes.add(r.id);
        continue;
      }
      const busy = this.perRemote.get(r.remoteId) ?? 0;
      if (busy >= remote.config.concurrency) continue; // woken again when one of them finishes
      const driver = remote.kind === 'dicomweb' ? this.deps.drivers.dicomweb : this.deps.drivers.dimse;
      if (!driver) continue;
      const taken = await takeUp(r, { leases: this.deps.leases, lifecycle: this.lifecycle, now });
      if (taken !== 'step') {
        if (taken === 'moved') (this.changes.add(r.id), (next = now));
        continue;
      }
      this.perRemote.set(r.remoteId, busy + 1);
      if (r.state === 'queued' && r.attempts === 0) this.deps.onFirstSend?.(r, remote);
      const p = driver
        .step(r, remote, this.ctx)
        .catch((e) => {
          log('engine').error(`request ${r.id} step failed:`, e);
          const fields = { nextAttemptAt: this.deps.scheduler.now() + STEP_FAILURE_RETRY_MS, error: `Internal error: ${String(e)}` };
          return this.lifecycle.move(r.id, ACTIVE_STATES, 'wait', fields).then(() => undefined);
        })
        .catch((e) => log('engine').error(`request ${r.id}: the step's failure was not stored:`, e))
        .finally(() => {
          this.inFlight.delete(r.id);
          this.perRemote.set(r.remoteId, (this.perRemote.get(r.remoteId) ?? 1) - 1);
          this.changes.add(r.id);
          this.schedule(0);
        });
      this.inFlight.set(r.id, p);
    }
    if (next !== Infinity) this.schedule(next - now);
  }

  /** The remote with its secret; null when it was deleted; undefined when the store failed (logged). */
  private async remote(id: number): Promise<RemoteWithSecret | null | undefined> {
    try {
      return await this.deps.remotes.withSecret(id);
    } catch (e) {
      if (isNotFound(e, 'remote')) return null;
      log('engine').error(`reading remote ${id} failed:`, e);
      return undefined;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const d = Math.max(0, Math.min(delayMs, MAX_TIMER_MS));
    if (this.timer) {
      if (this.timerAt <= this.deps.scheduler.now() + d) return;
      this.timer.cancel();
    }
    this.timerAt = this.deps.scheduler.now() + d;
    // Not unref'd: a command waiting for its requests (safekeep commit) lives on this timer between attempts.
    this.timer = this.deps.scheduler.setTimer(d, () => {
      this.timer = null;
      this.runTick();
    });
  }

  private timerAt = 0;

  /** Nothing runs now (no tick, no exchange with an archive): a virtual scheduler moves time on only then. */
  get idle(): boolean {
    return !this.ticking && this.inFlight.size === 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await Promise.allSettled([...this.inFlight.values()]);
    this.watchers.clear();
    this.changes.flush();
    await this.deps.drivers.dicomweb.close();
    await this.deps.drivers.dimse?.close();
  }
}
