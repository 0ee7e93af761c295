import { FailureReason } from '../../../src-shared/dicom/failure-reasons';
import type { HeaderReaderPool, VerifyResult } from '../library/header-pool';
import type { LibraryStore } from '../store/ports';
import type { Decision, PendingInstance } from './model/transaction';
import type { IndexedFile } from '../library/model/files';
import type { CommitmentPolicy, PolicyJob } from './policy';

export interface LibraryPolicyOptions {
  /** SOP Classes this Safekeep accepts; null = all. Others fail with 0122H. */
  acceptedSopClasses: readonly string[] | null;
  /** Most instances committed in one transaction; beyond it 0213H. null = no limit. */
  capacityPerTransaction: number | null;
}

const CHUNK = 512;
/** A file this node does not see (not there, not allowed): another node of the store may. */
const NOT_HERE = /ENOENT|EACCES|EPERM|ENOTDIR|ESTALE/;
/** Chunks being re-read at once: enough to keep every header worker busy while the main thread writes. */
const IN_FLIGHT = 4;

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
    private readonly library: LibraryStore,
    private readonly headers: HeaderReaderPool,
    private options: LibraryPolicyOptions,
  ) {}

  /** Settings changed in the app apply to the next decisions. */
  setOptions(o: Partial<LibraryPolicyOptions>): void {
    this.options = { ...this.options, ...o };
  }

  async describe(): Promise<string> {
    return 'Local library: committed when a complete, readable file for the instance is in the library';
  }

  expectedRate(): number {
    return this.rate;
  }

  async process(job: PolicyJob): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let failure: unknown = null;
    for (let start = 0; start < job.instances.length && !job.signal.aborted && failure === null; start += CHUNK) {
      const chunk = job.instances.slice(start, start + CHUNK);
      const t0 = performance.now();
      const p = this.decideChunk(chunk, job.elsewhere)
        .then(async (decisions) => {
          await job.report(decisions);
          const dt = performance.now() - t0;
          if (dt > 0) this.rate = 0.8 * this.rate + 0.2 * ((chunk.length * 1000 * IN_FLIGHT) / dt);
        })
        .catch((e: unknown) => {
          failure = e;
        });
      inFlight.add(p);
      void p.then(() => inFlight.delete(p));
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      // Yield so the HTTP server keeps answering while a large request is decided.
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(inFlight);
    if (failure !== null) throw failure;
  }

  /**
   * Decides a batch: one index query, one batch of header re-reads (on worker threads when available). With
   * several nodes (`elsewhere`), what this node cannot decide — an instance not in its library, or a file not
   * there or not allowed here — is left for a live node whose own library holds it (one more query).
   */
  async decideChunk(chunk: readonly PendingInstance[], elsewhere?: PolicyJob['elsewhere']): Promise<Decision[]> {
    const accepted = this.options.acceptedSopClasses ? new Set(this.options.acceptedSopClasses) : null;
    const capacity = this.options.capacityPerTransaction;
    const indexed = await this.library.findInstances(chunk.map((i) => i.sopInstanceUid));
    const decisions: Decision[] = [];
    const notHere: { uid: string; d: Decision }[] = [];
    const toRead: { i: PendingInstance; file: IndexedFile }[] = [];
    for (const i of chunk) {
      const fail = (failureReason: number, detail: string) => decisions.push({ seq: i.seq, outcome: 'failed', failureReason, detail });
      const file = indexed.get(i.sopInstanceUid);
      if (accepted && !accepted.has(i.sopClassUid)) {
        fail(FailureReason.ReferencedSOPClassNotSupported, `SOP Class ${i.sopClassUid} is not accepted by this Safekeep`);
      } else if (capacity !== null && i.seq >= capacity) {
        fail(FailureReason.ResourceLimitation, `This Safekeep commits at most ${capacity} instances per transaction`);
      } else if (!file) {
        notHere.push({ uid: i.sopInstanceUid, d: { seq: i.seq, outcome: 'failed', failureReason: FailureReason.NoSuchObjectInstance, detail: 'Not in the library' } });
      } else if (file.sopClassUid !== i.sopClassUid) {
        fail(FailureReason.ClassInstanceConflict, `The library holds this instance as SOP Class ${file.sopClassUid}`);
      } else {
        toRead.push({ i, file });
      }
    }
    if (toRead.length > 0) {
      const reads = await this.headers.verify(toRead.map((r) => r.file.path));
      toRead.forEach(({ i, file }, k) => {
        const read = reads[k]!;
        const d = this.afterReRead(i, file.path, read);
        // Another node may see the file (several nodes; docs/deployment.md).
        if (!read.ok && read.reason === 'unreadable' && NOT_HERE.test(read.message)) notHere.push({ uid: i.sopInstanceUid, d });
        else decisions.push(d);
      });
    }
    if (notHere.length > 0) {
      if (!elsewhere) decisions.push(...notHere.map((x) => x.d));
      else {
        const holders = elsewhere.nodes.length > 0 ? await this.library.otherNodesHolding(notHere.map((x) => x.uid)) : new Map<string, string[]>();
        for (const { uid, d } of notHere) {
          const handed = (holders.get(uid) ?? []).some((n) => elsewhere.nodes.includes(n));
          const decided = elsewhere.take(d, handed);
          if (decided) decisions.push(decided);
        }
      }
    }
    return decisions.sort((x, y) => x.seq - y.seq);
  }

  private afterReRead(i: PendingInstance, path: string, read: VerifyResult): Decision {
    const fail = (failureReason: number, detail: string): Decision => ({ seq: i.seq, outcome: 'failed', failureReason, detail });
    if (!read.ok) {
      if (read.reason === 'unreadable' && /ENOENT/.test(read.message)) {
        return fail(FailureReason.NoSuchObjectInstance, `The file ${path} is gone`);
      }
      if (read.reason === 'unreadable' && /EMFILE|ENFILE|ENOMEM/.test(read.message)) {
        return fail(FailureReason.ResourceLimitation, `Out of resources reading ${path}: ${read.message}`);
      }
      return fail(FailureReason.ProcessingFailure, `The file ${path} cannot be read now: ${read.message}`);
    }
    if (read.sopInstanceUid !== i.sopInstanceUid) {
      return fail(FailureReason.ProcessingFailure, `The file ${path} now holds another instance (${read.sopInstanceUid})`);
    }
    if (read.sopClassUid !== i.sopClassUid) {
      return fail(FailureReason.ClassInstanceConflict, `The file ${path} holds SOP Class ${read.sopClassUid}`);
    }
    if (!read.complete) return fail(FailureReason.ProcessingFailure, `The file ${path} is incomplete: ${read.message}`);
    return { seq: i.seq, outcome: 'committed' };
  }
}
