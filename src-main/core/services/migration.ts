/**
 * Finishing a migration (issue 11) as one service for the handlers: send what the archive lacks and commit
 * again, cross-check with the archive's own query, and compare content. One send-missing run and one content
 * check per archive at a time.
 */
import type { ContentSample, ContentSummary } from '../../../src-shared/content';
import type { CrossCheckResult } from '../../../src-shared/crosscheck';
import { AppError } from '../../../src-shared/contract/errors';
import { reportOverdue } from '../../../src-shared/dimse';
import { isFinal, type OutgoingRequest, type Selection } from '../../../src-shared/outgoing';
import type { ResendSummary } from '../../../src-shared/resend';
import type { Clock } from '../scheduler';
import { retrieverFor } from '../content/retrievers';
import { verifyContent } from '../content/verify-content';
import { crossCheck } from '../crosscheck/crosscheck';
import { listerFor } from '../crosscheck/listing';
import type { Engine } from '../engine/engine';
import type { EventBus } from '../events';
import type { ContentStore, LibraryStore, RemotesStore, ResendStore } from '../store/ports';
import { engineCommitPort } from '../resend/commit-port';
import { sendMissing } from '../resend/send-missing';
import { senderFor } from '../resend/sender-for';

export interface MigrationServiceDeps {
  resend: ResendStore;
  content: ContentStore;
  library: Pick<LibraryStore, 'select'>;
  remotes: Pick<RemotesStore, 'withSecret'>;
  engine: Pick<Engine, 'submit' | 'waitUntil'>;
  clock: Clock;
  /** How long an accepted DIMSE request waits for its report before a round stops waiting (the run then ends unfinished). */
  reportTimeoutMs: () => Promise<number>;
  /** Progress, for the hosts. */
  events: Pick<EventBus, 'emit'>;
}

export class MigrationService {
  private readonly running = new Map<number, AbortController>();
  private readonly checking = new Map<number, AbortController>();

  constructor(private readonly deps: MigrationServiceDeps) {}

  /**
   * Runs `fn` as the archive's one run of its kind (`runs`): a second is a conflict. Its signal ends on the
   * caller's signal or on cancel().
   */
  private async exclusive<T>(runs: Map<number, AbortController>, remoteId: number, busy: string, signal: AbortSignal | undefined, fn: (s: AbortSignal) => Promise<T>): Promise<T> {
    if (runs.has(remoteId)) throw new AppError('conflict', busy);
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal?.addEventListener('abort', abort, { once: true });
    runs.set(remoteId, controller);
    try {
      return await fn(controller.signal);
    } finally {
      signal?.removeEventListener('abort', abort);
      runs.delete(remoteId);
    }
  }

  /** Sends the missing instances of the selection and asks again, round after round; resolves with what happened. */
  sendMissing(o: { remoteId: number; selection: Selection; rounds?: number }, signal?: AbortSignal): Promise<ResendSummary> {
    return this.exclusive(this.running, o.remoteId, 'Missing instances are already being sent to this archive', signal, async (stopped) => {
      const remote = await this.deps.remotes.withSecret(o.remoteId);
      const timeoutMs = await this.deps.reportTimeoutMs();
      // A DIMSE round stops waiting when its report is overdue (the request keeps waiting in the store).
      const stop = async () => (r: OutgoingRequest) => isFinal(r.state) || (remote.kind === 'dimse' && r.error !== null && reportOverdue(r, timeoutMs, this.deps.clock.now()));
      return sendMissing(
        { store: this.deps.resend, library: this.deps.library, commit: engineCommitPort(this.deps.engine, stop), clock: this.deps.clock, senderFor },
        {
          remote,
          selection: o.selection,
          ...(o.rounds !== undefined ? { rounds: o.rounds } : {}),
          signal: stopped,
          onProgress: (p) => this.deps.events.emit('resend-progress', { ...p, remoteId: o.remoteId }),
        },
      );
    });
  }

  /** Stops the runs of this archive, send-missing and content check (what they did so far stays); false when none runs. */
  cancel(remoteId: number): boolean {
    const cs = [this.running.get(remoteId), this.checking.get(remoteId)].filter((c) => c !== undefined);
    for (const c of cs) c.abort();
    return cs.length > 0;
  }

  /** Retrieves the archive's copy of the selection's committed instances (all or a sample) and compares each with the local file. */
  verifyContent(o: { remoteId: number; selection: Selection; sample: ContentSample; afterRequestIds?: number[] }, signal?: AbortSignal): Promise<ContentSummary> {
    return this.exclusive(this.checking, o.remoteId, 'The content of this archive is already being compared', signal, async (stopped) => {
      const remote = await this.deps.remotes.withSecret(o.remoteId);
      // After commitment: the instances committed by then are the ones checked.
      await Promise.all((o.afterRequestIds ?? []).map((id) => this.deps.engine.waitUntil(id, (r) => isFinal(r.state), stopped)));
      return verifyContent(
        { store: this.deps.content, verdicts: this.deps.resend, library: this.deps.library, clock: this.deps.clock, retrieverFor },
        { remote, selection: o.selection, sample: o.sample, signal: stopped, onProgress: (p) => this.deps.events.emit('content-progress', { ...p, remoteId: o.remoteId }) },
      );
    });
  }

  /** The archive's latest content check, or null. */
  contentResult(remoteId: number): Promise<ContentSummary | null> {
    return this.deps.content.contentRun(remoteId);
  }

  /** The archive's own listing of each local study of the selection, beside the verdicts. */
  async compare(o: { remoteId: number; selection: Selection }, signal?: AbortSignal): Promise<CrossCheckResult> {
    const remote = await this.deps.remotes.withSecret(o.remoteId);
    return crossCheck(
      { library: this.deps.library, verdicts: this.deps.resend, clock: this.deps.clock, listerFor },
      { remote, selection: o.selection, ...(signal ? { signal } : {}), onProgress: (p) => this.deps.events.emit('compare-progress', { ...p, remoteId: o.remoteId }) },
    );
  }

  /** Stops every run (before the store closes). */
  stop(): void {
    for (const c of [...this.running.values(), ...this.checking.values()]) c.abort();
  }
}
