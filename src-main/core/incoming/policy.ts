import type { RequestedInstance } from '../../../src-shared/commitment/model';
import type { Decision, PendingInstance } from './model/transaction';

/**
 * A commitment policy decides, per instance, whether this Safekeep takes
 * responsibility for it. The local library is one policy; the proxies of the
 * DIMSE bridge (forward to an upstream DICOMweb or DIMSE archive) are others.
 */
export interface PolicyJob {
  transactionUid: string;
  instances: readonly PendingInstance[];
  /** True when the job is picked up again after a restart. */
  resumed: boolean;
  signal: AbortSignal;
  /** Persist decisions as they are made (the processor writes them to the store); await it before reporting more. */
  report(decisions: readonly Decision[]): Promise<void>;
  /**
   * Several nodes on one store, each with its own library: an instance this node cannot decide (not in its
   * library, or its file not there or not allowed here) may be left for another node.
   */
  elsewhere?: {
    /** The live nodes that have not tried this transaction: those that may decide it instead. */
    readonly nodes: readonly string[];
    /**
     * `handed`: one of `nodes` holds the instance in its library. Null: handed off, not to be reported now;
     * otherwise the decision to report, its detail naming the nodes that tried.
     */
    take(d: Decision, handed: boolean): Decision | null;
  };
}

export interface CommitmentPolicy {
  /** Stable identifier stored with each transaction, e.g. "library" or "forward-dimse:3". */
  readonly id: string;
  /** One line for logs and the UI. */
  describe(): Promise<string>;
  /**
   * Decides every instance of the job, reporting as it goes. Resolves when all
   * are reported. Instances left unreported are failed by the processor with
   * 0110H, so a policy bug can never leave a transaction Working forever.
   */
  process(job: PolicyJob): Promise<void>;
  /** Instances per second this policy is expected to decide, for Retry-After estimates. */
  expectedRate(): number;
  /** A fixed Retry-After (seconds) for policies whose pace is set elsewhere (a proxy waits for its upstream). */
  retryAfterSeconds?(): number;
  /**
   * Called once a new transaction is stored and before it is acknowledged. A proxy sends the
   * request upstream here; a thrown AppError (503, 400) is the answer instead, and the
   * transaction is forgotten.
   */
  admit?(t: { transactionUid: string; instances: readonly RequestedInstance[] }): Promise<void>;
}
