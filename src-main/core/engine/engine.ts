import type { RequestForm, RequestedInstance } from '../../../src-shared/commitment/model';
import { AppError } from '../../../src-shared/contract/errors';
import { isFinal, type OutgoingRequest, type Selection } from '../../../src-shared/outgoing';
import type { Clock } from '../clock';
import { ChangeBatcher, type EventBus } from '../events';
import type { LibraryRepo } from '../store/library-repo';
import type { OutgoingRepo } from '../store/outgoing-repo';
import type { RemotesRepo } from '../store/remotes-repo';
import type { Driver, DriverContext } from './driver';
import { planRequests } from './planner';
import { newTransactionUid } from './transaction-uid';
import { log } from '../log';

/** What a cancelled request's undecided instances say (in Outgoing, the verdicts and every report). */
export const CANCELLED_DETAIL = 'Cancelled before the archive answered: not verified';

export interface EngineDeps {
  outgoing: OutgoingRepo;
  remotes: RemotesRepo;
  library: LibraryRepo;
  events: EventBus;
  clock: Clock;
  drivers: { dicomweb: Driver; dimse?: Driver };
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
  private readonly changes: ChangeBatcher<number>;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly ctx: DriverContext;

  constructor(private readonly deps: EngineDeps) {
    this.changes = new ChangeBatcher(200, (ids) => deps.events.emit('outgoing-changed', { requestIds: ids }));
    this.ctx = {
      outgoing: deps.outgoing,
      clock: deps.clock,
      changed: (id) => this.changes.add(id),
      wake: () => this.schedule(0),
    };
  }

  /** Picks up every request left in flight; a POST without an answer is checked (GET) before anything else. */
  start(): number {
    this.started = true;
    const active = this.deps.outgoing.active();
    for (const r of active) {
      if (r.state === 'posting') {
        this.deps.outgoing.patch(r.id, { state: 'checking', nextAttemptAt: this.deps.clock.now() });
        this.changes.add(r.id);
      }
    }
    this.schedule(0);
    return active.length;
  }

  /** Plans and persists the requests for a selection (before anything is sent), then starts sending. */
  submit(o: SubmitOptions): { jobId: number; requestIds: number[]; instances: number } {
    const remote = this.deps.remotes.get(o.remoteId);
    const files = this.deps.library.select(o.selection);
    if (files.length === 0) throw new AppError('bad-request', 'The selection holds no indexed instance');
    const requests = planRequests(files, {
      form: o.form,
      maxInstancesPerRequest: remote.config.maxInstancesPerRequest,
      describeStudy: (uid) => this.deps.library.describeStudy(uid),
    });
    const label = o.label ?? `${files.length} instance(s) to ${remote.name}`;
    const { jobId, requestIds } = this.deps.outgoing.createJob({
      remoteId: remote.id,
      remoteName: remote.name,
      label,
      form: o.form,
      requests,
      now: this.deps.clock.now(),
    });
    requestIds.forEach((id) => this.changes.add(id));
    this.schedule(0);
    return { jobId, requestIds, instances: files.length };
  }

  /**
   * No more polling; the request says cancelled. Instances not decided yet are failed as not verified
   * (never left pending for ever), so that the request, the verdicts and the reports agree.
   */
  cancel(id: number): OutgoingRequest {
    const r = this.deps.outgoing.get(id);
    if (isFinal(r.state)) throw new AppError('conflict', `Request ${id} is already ${r.state}`);
    const now = this.deps.clock.now();
    this.deps.outgoing.failPending(id, CANCELLED_DETAIL, { state: 'cancelled', completedAt: now, nextAttemptAt: null }, now);
    this.changes.add(id);
    return this.deps.outgoing.get(id);
  }

  /** Sends a lost, timed-out, failed or cancelled request again, as a new transaction (new UID). */
  resend(id: number): OutgoingRequest {
    const r = this.deps.outgoing.get(id);
    if (!isFinal(r.state) || r.state === 'done') {
      throw new AppError('conflict', `Request ${id} is ${r.state}; only lost, failed, timed-out or cancelled requests can be resent`);
    }
    this.deps.outgoing.reset(id, newTransactionUid(), this.deps.clock.now());
    this.changes.add(id);
    this.schedule(0);
    return this.deps.outgoing.get(id);
  }

  /** A new request for the instances of a finished request that were not committed (except those in `exclude`: resent already). */
  resendFailed(id: number, exclude?: ReadonlySet<string>): OutgoingRequest {
    const r = this.deps.outgoing.get(id);
    if (!isFinal(r.state)) throw new AppError('conflict', `Request ${id} is still ${r.state}`);
    const failed = this.deps.outgoing.notCommitted(id).filter((i) => !exclude?.has(i.sopInstanceUid));
    if (failed.length === 0) throw new AppError('bad-request', `Every instance of request ${id} is committed`);
    const newId = this.deps.outgoing.createFollowUp(
      r,
      {
        transactionUid: newTransactionUid(),
        form: r.form,
        studyUid: r.studyUid,
        label: `${r.label ?? `Request ${id}`} — resend of ${failed.length} not committed`,
        instances: failed,
      },
      this.deps.clock.now(),
    );
    this.changes.add(newId);
    this.schedule(0);
    return this.deps.outgoing.get(newId);
  }

  /**
   * One request that forwards an incoming transaction upstream, under the same
   * Transaction UID (the proxy of PS3.18 Annex B.30). Study form when every instance
   * has its study and series, else flat.
   */
  submitProxy(remoteId: number, transactionUid: string, instances: readonly RequestedInstance[]): number {
    const remote = this.deps.remotes.get(remoteId);
    const study = instances.every((i) => i.studyUid && i.seriesUid);
    const id = this.deps.outgoing.createSingle(
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
      this.deps.clock.now(),
    );
    this.changes.add(id);
    this.schedule(0);
    return id;
  }

  /** Resolves with the request once `until` holds for it (checked at every change). */
  waitUntil(id: number, until: (r: OutgoingRequest) => boolean, signal?: AbortSignal): Promise<OutgoingRequest> {
    return new Promise((resolve, reject) => {
      const check = () => {
        let r: OutgoingRequest;
        try {
          r = this.deps.outgoing.get(id);
        } catch (e) {
          off();
          reject(e);
          return;
        }
        if (until(r)) {
          off();
          resolve(r);
        }
      };
      const offEvents = this.deps.events.on('outgoing-changed', ({ requestIds }) => {
        if (requestIds.includes(id)) check();
      });
      const onAbort = () => {
        off();
        reject(new AppError('cancelled', 'Stopped while waiting'));
      };
      const off = () => {
        offEvents();
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  /** Looks at the due requests now (after a change made outside the engine); nothing before start(). */
  wake(): void {
    if (this.started) this.schedule(0);
  }

  private started = false;

  /** Announces a change made outside a driver step (a report that came in). */
  changed(id: number): void {
    this.changes.add(id);
  }

  /** Resolves once every given request is in a final state. */
  async waitFor(requestIds: readonly number[]): Promise<void> {
    await Promise.all(requestIds.map((id) => this.waitUntil(id, (r) => isFinal(r.state))));
  }

  /** Runs the due requests now and plans the next wake-up. */
  private tick(): void {
    this.timer = null;
    if (this.stopped) return;
    const now = this.deps.clock.now();
    let next = Infinity;
    for (const r of this.deps.outgoing.active()) {
      if (this.inFlight.has(r.id)) continue;
      const due = r.nextAttemptAt ?? now;
      if (due > now) {
        next = Math.min(next, due);
        continue;
      }
      let remote;
      try {
        remote = this.deps.remotes.withSecret(r.remoteId);
      } catch {
        this.deps.outgoing.failPending(r.id, 'The remote of this request was deleted', { state: 'failed', error: 'The remote was deleted', completedAt: now }, now);
        this.changes.add(r.id);
        continue;
      }
      const busy = this.perRemote.get(r.remoteId) ?? 0;
      if (busy >= remote.config.concurrency) continue; // woken again when one of them finishes
      const driver = remote.kind === 'dicomweb' ? this.deps.drivers.dicomweb : this.deps.drivers.dimse;
      if (!driver) continue;
      this.perRemote.set(r.remoteId, busy + 1);
      const p = driver
        .step(r, remote, this.ctx)
        .catch((e) => {
          log('engine').error(`request ${r.id} step failed:`, e);
          this.deps.outgoing.patch(r.id, { nextAttemptAt: this.deps.clock.now() + 30_000, error: `Internal error: ${String(e)}` });
        })
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

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const d = Math.max(0, Math.min(delayMs, 2 ** 31 - 1));
    if (this.timer) {
      if (this.timerAt <= this.deps.clock.now() + d) return;
      clearTimeout(this.timer);
    }
    this.timerAt = this.deps.clock.now() + d;
    this.timer = setTimeout(() => this.tick(), d);
  }

  private timerAt = 0;

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight.values()]);
    this.changes.flush();
    await this.deps.drivers.dicomweb.close();
    await this.deps.drivers.dimse?.close();
  }
}
