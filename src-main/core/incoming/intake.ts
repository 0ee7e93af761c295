import type { RequestedInstance } from '../../../src-shared/commitment/model';
import { AppError } from '../../../src-shared/contract/errors';
import type { IncomingSource } from '../../../src-shared/transactions';
import type { Clock } from '../scheduler';
import type { IncomingStore } from '../store/ports';
import type { OriginConfig } from './config';
import type { ReportMeta } from './model/transaction';
import type { CommitmentPolicy } from './policy';
import type { IncomingProcessor } from './processor';

/** DICOM status of a refused request whose Transaction UID is in use (PS3.18 §13; the Warning header). */
const DUPLICATE_UID_STATUS = 0x0131;
/** DICOM status of a request refused under back-pressure (out of resources). */
const BUSY_STATUS = 0xa700;

export interface IntakeDeps {
  incoming: IncomingStore;
  processor: IncomingProcessor;
  /** Back-pressure limits (the origin server's settings; they hold for both protocols). */
  config: () => OriginConfig;
  /** The policy that decides a new transaction received over `source`. */
  policy: (source: IncomingSource) => CommitmentPolicy;
  clock: Clock;
  /** Told of each request taken in, or refused with why (the audit trail). */
  onTaken?: (r: IntakeRequest, refused: string | null) => void;
}

/** A commitment request as it came in, whichever the protocol. */
export interface IntakeRequest {
  transactionUid: string;
  source: IncomingSource;
  /** The authenticated client (DICOMweb) or the calling AE title (DIMSE). */
  client: string;
  requester: string;
  mediaType: string | null;
  instances: readonly RequestedInstance[];
  /** Where the N-EVENT-REPORT goes (DIMSE). */
  report?: ReportMeta;
}

/**
 * The one way in for a commitment request, DICOMweb POST or DIMSE N-ACTION: the Transaction UID must be
 * new, back-pressure may refuse it, it is persisted before anything else, its policy may refuse to admit
 * it (a proxy whose upstream does not take it), and then its processing starts. A refusal is an AppError
 * (conflict, unavailable with Retry-After, or the policy's own) and leaves nothing stored.
 */
export class IncomingIntake {
  constructor(private readonly deps: IntakeDeps) {}

  /** Takes in a request; `done` settles when every instance is decided. */
  async take(r: IntakeRequest, beforeStart?: () => void): Promise<{ done: Promise<void> }> {
    try {
      const taken = await this.admit(r, beforeStart);
      this.deps.onTaken?.(r, null);
      return taken;
    } catch (e) {
      this.deps.onTaken?.(r, e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  private async admit(r: IntakeRequest, beforeStart?: () => void): Promise<{ done: Promise<void> }> {
    const { incoming } = this.deps;
    const config = this.deps.config();
    const policy = this.deps.policy(r.source);
    // Persist first: from here on the transaction survives a crash and is resumed. The UID check and the
    // back-pressure check are made by the store in the same transaction as the insert (no race between them).
    const stored = await incoming.create(
      {
        transactionUid: r.transactionUid,
        source: r.source,
        client: r.client,
        requester: r.requester,
        mediaType: r.mediaType,
        policy: policy.id,
        instances: r.instances,
        receivedAt: this.deps.clock.now(),
      },
      { limits: { maxWorking: config.maxWorkingTransactions, maxPending: config.maxPendingInstances }, ...(r.report ? { report: r.report } : {}) },
    );
    if (!stored.created) {
      if (stored.why === 'duplicate') {
        throw new AppError('conflict', `Transaction UID ${r.transactionUid} is already in use`, {
          detail: 'Use a new Transaction UID; to learn the result of an earlier request, GET this URL',
          dicomStatus: DUPLICATE_UID_STATUS,
        });
      }
      throw new AppError('unavailable', 'Too many commitment requests are being processed', {
        detail: `${stored.load.working} transactions and ${stored.load.pending} instances are waiting; retry later`,
        retryAfter: config.busyRetryAfterSeconds,
        dicomStatus: BUSY_STATUS,
      });
    }
    if (policy.admit) {
      try {
        await policy.admit({ transactionUid: r.transactionUid, instances: r.instances });
      } catch (e) {
        await incoming.delete(r.transactionUid); // never acknowledged: the same UID may be sent again
        throw e;
      }
    }
    beforeStart?.();
    return { done: this.deps.processor.start(r.transactionUid, false, r.instances) };
  }
}
