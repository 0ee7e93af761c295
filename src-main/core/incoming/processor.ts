import { FailureReason } from '../../../src-shared/dicom/failure-reasons';
import type { Clock } from '../scheduler';
import type { RequestedInstance } from '../../../src-shared/commitment/model';
import type { IncomingStore } from '../store/ports';
import type { Decision } from './model/transaction';
import type { CommitmentPolicy, PolicyJob } from './policy';
import { log } from '../log';

export interface ProcessorOptions {
  /** How long a finished result is kept (spec §11: 30 days). */
  resultRetentionMs: number;
  /**
   * Several nodes on one store: a transaction is decided only by the node holding its lease (the node that
   * took it in claims it first); `orphans` are those this node may take over (a dead node's, its own last run's).
   */
  nodes?: {
    id: string;
    claim(uid: string): Promise<boolean>;
    orphans(): Promise<string[]>;
    handOffPlan(uid: string): Promise<{ candidates: string[]; tried: string[] }>;
    handOver(uid: string): Promise<void>;
  };
}

/**
 * Runs each Working incoming transaction through its commitment policy.
 * Decisions are written to the store before they are announced, and a
 * transaction is Done only once every instance has an outcome. Working
 * transactions left by a previous run (even one killed with SIGKILL) are
 * picked up again by `resumeAll`.
 */
export class IncomingProcessor {
  private readonly running = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private readonly completedHooks = new Set<(uid: string) => void>();

  constructor(
    private readonly repo: IncomingStore,
    private readonly policies: (policyId: string) => Promise<CommitmentPolicy | undefined>,
    private readonly clock: Clock,
    private readonly options: ProcessorOptions,
  ) {}

  /** Called after a transaction became Done (the DIMSE SCP sends its report from here). */
  onCompleted(fn: (uid: string) => void): () => void {
    this.completedHooks.add(fn);
    return () => this.completedHooks.delete(fn);
  }

  /**
   * Starts (or joins) the processing of a stored Working transaction. `fresh` is the request just
   * stored, in order, which saves reading 100,000 rows back; without it the pending rows are read.
   */
  start(uid: string, resumed = false, fresh?: readonly RequestedInstance[]): Promise<void> {
    const existing = this.running.get(uid);
    if (existing) return existing;
    const p = this.claimed(uid)
      .then((mine) => (mine ? this.run(uid, resumed, fresh) : undefined))
      .finally(() => this.running.delete(uid));
    this.running.set(uid, p);
    return p;
  }

  /** Decides again the Working transactions left by a previous run (or by a node that died); how many. */
  async resumeAll(): Promise<number> {
    const nodes = this.options.nodes;
    const uids = (nodes ? await nodes.orphans() : await this.repo.workingTransactions()).filter((uid) => !this.running.has(uid));
    for (const uid of uids) void this.start(uid, true);
    return uids.length;
  }

  /** What a policy does with an instance this node cannot decide (several nodes), and how many it handed off. */
  private async handOff(uid: string): Promise<(NonNullable<PolicyJob['elsewhere']> & { readonly handed: number }) | null> {
    const nodes = this.options.nodes;
    if (!nodes) return null;
    const plan = await nodes.handOffPlan(uid);
    const tried = [...plan.tried, nodes.id];
    const o = {
      handed: 0,
      nodes: plan.candidates,
      take: (d: Decision, handed: boolean): Decision | null => {
        // `handed`: one of plan.candidates holds the instance (so there is one).
        if (handed) {
          o.handed++;
          return null;
        }
        return plan.tried.length > 0 ? { ...d, detail: `${d.detail ?? ''} (no Safekeep node could read it: tried ${tried.join(', ')})` } : d;
      },
    };
    return o;
  }

  private async claimed(uid: string): Promise<boolean> {
    return this.options.nodes ? this.options.nodes.claim(uid) : true;
  }

  isRunning(uid: string): boolean {
    return this.running.has(uid);
  }

  /** Seconds a user agent should wait before its next Result Check. */
  async retryAfterSeconds(uid: string): Promise<number> {
    const tx = await this.repo.get(uid);
    if (!tx) return 1;
    const remaining = tx.instanceCount - tx.committedCount - tx.failedCount;
    const policy = await this.policies(tx.policy);
    if (policy?.retryAfterSeconds) return policy.retryAfterSeconds();
    const rate = Math.max(1, policy?.expectedRate() ?? 1000);
    return Math.min(3600, Math.max(1, Math.ceil(remaining / rate)));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.running.values()]);
  }

  private async run(uid: string, resumed: boolean, fresh?: readonly RequestedInstance[]): Promise<void> {
    const tx = await this.repo.get(uid);
    if (!tx || tx.state !== 'working') return;
    const policy = await this.policies(tx.policy);
    const signal = this.abort.signal;
    // Every write is awaited before the pending instances are read back (a policy that did not await its own).
    const writes = new Set<Promise<unknown>>();
    const record = async (decisions: readonly Decision[]): Promise<void> => {
      if (decisions.length === 0) return;
      const w = this.repo.recordDecisions(uid, decisions, this.clock.now());
      writes.add(w);
      try {
        await w;
      } finally {
        writes.delete(w);
      }
    };
    let failure: string | null = null;
    let handedOff = 0;
    if (!policy) {
      failure = `The commitment policy "${tx.policy}" of this transaction is no longer configured`;
    } else {
      try {
        const instances = fresh ? fresh.map((i, seq) => ({ ...i, seq })) : await this.repo.pendingInstances(uid);
        const handOff = await this.handOff(uid);
        await policy.process({ transactionUid: uid, instances, resumed, signal, report: record, ...(handOff ? { elsewhere: handOff } : {}) });
        handedOff = handOff?.handed ?? 0;
      } catch (e) {
        if (signal.aborted) return;
        failure = `The commitment policy failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    await Promise.allSettled(writes);
    if (signal.aborted) return; // shutting down: stays Working, resumed at next start
    // Files this node cannot read: the rest of the transaction is left for a node that has not tried it.
    if (handedOff > 0 && failure === null && this.options.nodes) return this.options.nodes.handOver(uid);
    const left = await this.repo.pendingInstances(uid);
    if (left.length > 0) {
      await record(
        left.map((i) => ({
          seq: i.seq,
          outcome: 'failed' as const,
          failureReason: FailureReason.ProcessingFailure,
          detail: failure ?? 'The commitment policy gave no decision for this instance',
        })),
      );
    }
    const now = this.clock.now();
    await this.repo.complete(uid, now, now + this.options.resultRetentionMs);
    for (const hook of this.completedHooks) {
      try {
        hook(uid);
      } catch (e) {
        log('origin').error('completion hook failed:', e);
      }
    }
  }
}
