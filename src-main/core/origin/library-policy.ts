import { FailureReason } from '../../../src-shared/dicom/failure-reasons';
import { checkComplete, readDicomHeader } from '../library/header';
import type { LibraryRepo } from '../store/library-repo';
import type { Decision, PendingInstance } from '../store/incoming-repo';
import type { CommitmentPolicy, PolicyJob } from './policy';

export interface LibraryPolicyOptions {
  /** SOP Classes this Safekeep accepts; null = all. Others fail with 0122H. */
  acceptedSopClasses: readonly string[] | null;
  /** Most instances committed in one transaction; beyond it 0213H. null = no limit. */
  capacityPerTransaction: number | null;
}

const CHUNK = 256;

/**
 * "Committed" for the local library (spec §11): a readable Part 10 file for the
 * SOP Instance UID is in the library, its SOP Class matches, and it is re-read
 * now — header parsed again, UIDs checked against the request, and the declared
 * Pixel Data fully present in the file — not merely found in the index.
 */
export class LibraryPolicy implements CommitmentPolicy {
  readonly id = 'library';
  private rate = 5000;

  constructor(
    private readonly library: LibraryRepo,
    private readonly options: LibraryPolicyOptions,
  ) {}

  describe(): string {
    return 'Local library: committed when a complete, readable file for the instance is in the library';
  }

  expectedRate(): number {
    return this.rate;
  }

  async process(job: PolicyJob): Promise<void> {
    const accepted = this.options.acceptedSopClasses ? new Set(this.options.acceptedSopClasses) : null;
    const capacity = this.options.capacityPerTransaction;
    for (let start = 0; start < job.instances.length; start += CHUNK) {
      if (job.signal.aborted) return;
      const t0 = performance.now();
      const chunk = job.instances.slice(start, start + CHUNK);
      job.report(chunk.map((i) => this.decide(i, accepted, capacity)));
      const dt = performance.now() - t0;
      if (dt > 0) this.rate = 0.8 * this.rate + 0.2 * ((chunk.length * 1000) / dt);
      // Yield so the HTTP server keeps answering while a large request is decided.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  decide(i: PendingInstance, accepted: Set<string> | null, capacity: number | null): Decision {
    const fail = (failureReason: number, detail: string): Decision => ({ seq: i.seq, outcome: 'failed', failureReason, detail });
    if (accepted && !accepted.has(i.sopClassUid)) {
      return fail(FailureReason.ReferencedSOPClassNotSupported, `SOP Class ${i.sopClassUid} is not accepted by this Safekeep`);
    }
    if (capacity !== null && i.seq >= capacity) {
      return fail(FailureReason.ResourceLimitation, `This Safekeep commits at most ${capacity} instances per transaction`);
    }
    const indexed = this.library.findInstance(i.sopInstanceUid);
    if (!indexed) return fail(FailureReason.NoSuchObjectInstance, 'Not in the library');
    if (indexed.sopClassUid !== i.sopClassUid) {
      return fail(FailureReason.ClassInstanceConflict, `The library holds this instance as SOP Class ${indexed.sopClassUid}`);
    }
    const read = readDicomHeader(indexed.path);
    if (!read.ok) {
      if (read.reason === 'unreadable' && /ENOENT/.test(read.message)) {
        return fail(FailureReason.NoSuchObjectInstance, `The file ${indexed.path} is gone`);
      }
      if (read.reason === 'unreadable' && /EMFILE|ENFILE|ENOMEM/.test(read.message)) {
        return fail(FailureReason.ResourceLimitation, `Out of resources reading ${indexed.path}: ${read.message}`);
      }
      return fail(FailureReason.ProcessingFailure, `The file ${indexed.path} cannot be read now: ${read.message}`);
    }
    if (read.header.sopInstanceUid !== i.sopInstanceUid) {
      return fail(FailureReason.ProcessingFailure, `The file ${indexed.path} now holds another instance (${read.header.sopInstanceUid})`);
    }
    if (read.header.sopClassUid !== i.sopClassUid) {
      return fail(FailureReason.ClassInstanceConflict, `The file ${indexed.path} holds SOP Class ${read.header.sopClassUid}`);
    }
    const complete = checkComplete(read, indexed.path);
    if (!complete.complete) return fail(FailureReason.ProcessingFailure, `The file ${indexed.path} is incomplete: ${complete.message}`);
    return { seq: i.seq, outcome: 'committed' };
  }
}
