/**
 * "Send missing, then commit again" (issue 11 §1). The instances of a selection whose verdict for an
 * archive is failed with 0112H or 0110H are stored on it (C-STORE or STOW-RS, each file re-read first),
 * every store outcome is kept, then commitment is asked again for exactly those stored, in a new job;
 * round after round until all are committed or the rounds are spent. An instance committed in a round
 * says "Committed after re-send" in its verdict and in every report.
 */
import {
  COMMITTED_AFTER_RESEND,
  type ResendEnd,
  type ResendProgress,
  type ResendRound,
  type ResendSummary,
  type StoreOutcomeRecord,
  type StoreStatus,
} from '../../../src-shared/resend';
import { describeFailureReason } from '../../../src-shared/dicom/failure-reasons';
import type { Selection } from '../../../src-shared/outgoing';
import type { Clock } from '../scheduler';
import type { LibraryStore, ResendStore } from '../store/ports';
import type { IndexedFile } from '../library/model/files';
import type { RemoteWithSecret } from '../remotes/model/remote';
import type { CommitPort } from './commit-port';
import { recheckFile } from './recheck';
import { isResendable, selectResendable } from './select';
import type { Sender, SendItem, SentOutcome } from './sender';
import { ratesOf } from './throughput';

export const DEFAULT_ROUNDS = 3;

export interface SendMissingDeps {
  store: ResendStore;
  library: Pick<LibraryStore, 'select'>;
  commit: CommitPort;
  clock: Clock;
  /** The sender for the remote (sender-for.ts; tests may pass their own). */
  senderFor: (remote: RemoteWithSecret) => Sender;
}

export interface SendMissingOptions {
  remote: RemoteWithSecret;
  selection: Selection;
  rounds?: number;
  signal?: AbortSignal;
  onProgress?: (p: ResendProgress) => void;
}

/** Stored or possibly stored: commitment decides. */
const COMMIT_AFTER: ReadonlySet<StoreStatus> = new Set(['stored', 'unconfirmed']);
const MAX_LEFT = 1000;

class Run {
  readonly rounds: ResendRound[] = [];
  /** Instances no later round sends again, and why (file changed, refused, a failure sending cannot fix). */
  readonly excluded = new Map<string, string>();
  /** The last store outcome of each instance, in words. */
  readonly lastStore = new Map<string, string>();
  readonly committed = new Set<string>();

  constructor(
    readonly id: number,
    readonly deps: SendMissingDeps,
    readonly o: SendMissingOptions,
  ) {}

  get roundsAsked(): number {
    return Math.max(1, Math.floor(this.o.rounds ?? DEFAULT_ROUNDS));
  }

  /** Records outcomes (store first), then reports progress. */
  async record(round: number, byUid: ReadonlyMap<string, IndexedFile>, outcomes: readonly SentOutcome[]): Promise<void> {
    const at = this.deps.clock.now();
    const records: StoreOutcomeRecord[] = outcomes.map((s) => {
      const f = byUid.get(s.sopInstanceUid)!;
      return { sopInstanceUid: s.sopInstanceUid, studyUid: f.studyUid, filePath: f.path, round, protocol: this.o.remote.kind, status: s.status, code: s.code, text: s.text, retry: s.retry, bytes: s.bytes, at };
    });
    await this.deps.store.recordStoreOutcomes(this.id, this.o.remote.id, records);
    for (const s of outcomes) {
      this.lastStore.set(s.sopInstanceUid, `${s.status}: ${s.text}`);
      if (!COMMIT_AFTER.has(s.status) && !s.retry) this.excluded.set(s.sopInstanceUid, `${s.status}: ${s.text}`);
    }
  }
}

/** Sends what the archive lacks and asks again, round by round; resolves with what happened. */
export async function sendMissing(deps: SendMissingDeps, o: SendMissingOptions): Promise<ResendSummary> {
  const files = await deps.library.select(o.selection);
  const verdicts = await deps.store.verdictsOf(o.remote.id, files.map((f) => f.sopInstanceUid));
  const { candidates, notResendable } = selectResendable(files, verdicts);
  const rounds = Math.max(1, Math.floor(o.rounds ?? DEFAULT_ROUNDS));
  const runId = await deps.store.startRun({ remoteId: o.remote.id, protocol: o.remote.kind, rounds, selected: candidates.length, now: deps.clock.now() });
  const run = new Run(runId, deps, { ...o, rounds });
  let end: ResendEnd = 'nothing-to-send';
  if (candidates.length > 0) {
    const sender = deps.senderFor(o.remote);
    try {
      end = await runRounds(run, sender, candidates);
    } catch (e) {
      // The store outcomes and commit jobs so far stay; the run says it did not finish.
      await deps.store.finishRun(runId, 'unfinished', deps.clock.now()).catch(() => {});
      throw e;
    } finally {
      await sender.close();
    }
  }
  await deps.store.finishRun(runId, end, deps.clock.now());
  return summarise(run, end, candidates, notResendable);
}

async function runRounds(run: Run, sender: Sender, candidates: readonly IndexedFile[]): Promise<ResendEnd> {
  const { deps, o } = run;
  let todo = [...candidates];
  for (let round = 1; round <= run.roundsAsked; round++) {
    if (o.signal?.aborted) return 'cancelled';
    const r = await oneRound(run, sender, round, todo);
    run.rounds.push(r.summary);
    const now = await deps.store.verdictsOf(o.remote.id, todo.map((f) => f.sopInstanceUid));
    for (const f of todo) if (now.get(f.sopInstanceUid)?.outcome === 'committed') run.committed.add(f.sopInstanceUid);
    if (r.overdue) return 'unfinished';
    if (o.signal?.aborted) return 'cancelled';
    // The next round: those still failed with a reason storing fixes, that a round may still send.
    todo = todo.filter((f) => !run.committed.has(f.sopInstanceUid) && !run.excluded.has(f.sopInstanceUid) && isResendable(now.get(f.sopInstanceUid)));
    if (todo.length === 0) break;
  }
  return run.committed.size === candidates.length ? 'all-committed' : 'rounds-spent';
}

async function oneRound(run: Run, sender: Sender, round: number, todo: readonly IndexedFile[]): Promise<{ summary: ResendRound; overdue: boolean }> {
  const { deps, o } = run;
  const byUid = new Map(todo.map((f) => [f.sopInstanceUid, f]));
  const started = deps.clock.now();
  const notStored: ResendRound['notStored'] = {};
  const toCommit: string[] = [];
  let done = 0;
  let stored = 0;
  let bytes = 0;
  const progress = (phase: ResendProgress['phase']) =>
    o.onProgress?.({
      runId: run.id,
      round,
      rounds: run.roundsAsked,
      phase,
      done,
      total: todo.length,
      stored,
      bytes,
      ...ratesOf({ done, total: todo.length, bytes, elapsedMs: deps.clock.now() - started }),
    });
  const take = async (batch: readonly SentOutcome[]) => {
    await run.record(round, byUid, batch);
    for (const s of batch) {
      done++;
      bytes += s.bytes;
      if (COMMIT_AFTER.has(s.status)) {
        stored++;
        toCommit.push(s.sopInstanceUid);
      } else notStored[s.status] = (notStored[s.status] ?? 0) + 1;
    }
    progress('sending');
  };

  // Each file re-read just before its round: a changed one is never sent.
  const items: SendItem[] = [];
  const changed: SentOutcome[] = [];
  for (const f of todo) {
    const c = recheckFile(f);
    if (c.ok) items.push({ file: f, transferSyntaxUid: c.transferSyntaxUid, size: c.size });
    else changed.push({ sopInstanceUid: f.sopInstanceUid, status: 'file-changed', code: null, text: c.text, retry: false, bytes: 0 });
  }
  if (changed.length > 0) await take(changed);
  if (items.length > 0) await sender.send(items, { signal: o.signal, onOutcomes: take });

  const summary: ResendRound = { round, selected: todo.length, stored, notStored, jobId: null, committed: 0, failed: 0, pending: 0 };
  if (toCommit.length === 0 || o.signal?.aborted) return { summary, overdue: false };
  progress('committing');
  const job = await deps.commit.submit({
    remoteId: o.remote.id,
    sopInstanceUids: toCommit,
    label: `Send missing, round ${round} of ${run.roundsAsked}: ${toCommit.length} instance(s) stored again on ${o.remote.name}`,
  });
  summary.jobId = job.jobId;
  const settled = await deps.commit.settle(job.requestIds, o.signal).catch((e: unknown) => {
    if (o.signal?.aborted) return 'cancelled' as const;
    throw e;
  });
  summary.committed = await deps.store.markCommittedAfterResend(job.jobId, COMMITTED_AFTER_RESEND);
  const after = await deps.store.verdictsOf(o.remote.id, toCommit);
  for (const uid of toCommit) {
    const v = after.get(uid)?.outcome;
    if (v === 'failed') summary.failed++;
    else if (v !== 'committed') summary.pending++;
  }
  progress('done');
  return { summary, overdue: settled === 'overdue' };
}

async function summarise(
  run: Run,
  end: ResendEnd,
  candidates: readonly IndexedFile[],
  notResendable: ResendSummary['notResendable'],
): Promise<ResendSummary> {
  const leftFiles = candidates.filter((f) => !run.committed.has(f.sopInstanceUid));
  const verdicts = await run.deps.store.verdictsOf(run.o.remote.id, leftFiles.slice(0, MAX_LEFT).map((f) => f.sopInstanceUid));
  const left = leftFiles.slice(0, MAX_LEFT).map((f) => {
    const v = verdicts.get(f.sopInstanceUid);
    const commitment = v?.outcome === 'failed' && v.failureReason !== null ? `commitment: ${describeFailureReason(v.failureReason)}` : `commitment: ${v?.outcome ?? 'never asked'}`;
    const store = run.excluded.get(f.sopInstanceUid) ?? run.lastStore.get(f.sopInstanceUid);
    return { sopInstanceUid: f.sopInstanceUid, filePath: f.path, why: store ? `${store}; ${commitment}` : commitment };
  });
  return {
    runId: run.id,
    remoteId: run.o.remote.id,
    end,
    selected: candidates.length,
    notResendable,
    rounds: run.rounds,
    committedAfterResend: run.committed.size,
    left,
    leftCount: leftFiles.length,
  };
}
