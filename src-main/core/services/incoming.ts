import type { IncomingSource } from '../../../src-shared/transactions';
import type { Clock } from '../scheduler';
import type { OriginConfig } from '../incoming/config';
import type { CommitmentPolicy } from '../incoming/policy';
import { IncomingIntake, type IntakeDeps } from '../incoming/intake';
import { IncomingProcessor, type ProcessorOptions } from '../incoming/processor';
import type { IncomingStore } from '../store/ports';

export interface IncomingServiceDeps {
  store: IncomingStore;
  clock: Clock;
  /** The origin server's configuration: stored settings first, what the host passes wins (changed live by Settings). */
  config: OriginConfig;
  /** A policy by its stored id ('library', 'forward:<remote id>'), for transactions decided again after a restart. */
  resolvePolicy: (id: string) => Promise<CommitmentPolicy | undefined>;
  /** The policy that decides a new transaction received over each protocol. */
  policy: (source: IncomingSource) => CommitmentPolicy;
  /** Told of each request taken in or refused (the audit trail). */
  onTaken?: IntakeDeps['onTaken'];
  /** This node's leases on deciding (several nodes on one store). */
  nodes?: ProcessorOptions['nodes'];
}

/** The reads of incoming transactions the handlers answer with, as the store gives them. */
export type IncomingReads = Pick<IncomingStore, 'list' | 'get' | 'instances'>;

/**
 * Incoming commitment requests (DICOMweb and DIMSE): the one intake both protocols take requests in through,
 * the processor that runs each Working transaction through its policy, the origin server's configuration,
 * retention, and the reads of transactions.
 */
export class IncomingService {
  readonly processor: IncomingProcessor;
  /** Every commitment request, DICOMweb POST or DIMSE N-ACTION, comes in here. */
  readonly intake: IncomingIntake;
  readonly config: OriginConfig;
  readonly read: IncomingReads;

  constructor(private readonly deps: IncomingServiceDeps) {
    this.config = deps.config;
    this.read = deps.store;
    this.processor = new IncomingProcessor(deps.store, deps.resolvePolicy, deps.clock, {
      resultRetentionMs: deps.config.resultRetentionMs,
      ...(deps.nodes ? { nodes: deps.nodes } : {}),
    });
    const { store: incoming, clock, policy, onTaken } = deps;
    this.intake = new IncomingIntake({ incoming, processor: this.processor, config: () => this.config, policy, clock, onTaken });
  }

  /** Decides again every transaction a previous run (or a node that died) left Working; how many. */
  resume(): Promise<number> {
    return this.processor.resumeAll();
  }

  /** Results past their expiry become tombstones (410), tombstones past theirs are forgotten (404). */
  applyRetention(): Promise<{ expired: number; forgotten: number }> {
    return this.deps.store.applyRetention(this.deps.clock.now(), this.config.tombstoneMs);
  }

  stop(): Promise<void> {
    return this.processor.stop();
  }
}
