/**
 * A C-FIND or C-GET request: pending responses (and, for C-GET, C-STORE sub-operations) may keep
 * coming for a long time, so the deadline is an idle one (no sign of life for idleTimeoutMs),
 * under an overall cap. Cancelled through an AbortSignal with C-CANCEL-RQ (PS3.7 9.3.2.3); an
 * archive that then stays silent gets an A-ABORT.
 */
import type { DimseRequest, DimseResponse } from './lib';
import { internals } from './network-internals';
import type { RequestorAssociation } from './requestor';
import { DimseError } from './types';

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_TOTAL_TIMEOUT_MS = 10 * 60_000;
/** How long an archive has to answer a C-CANCEL with its final response. */
const CANCEL_GRACE_MS = 5_000;
const PENDING = new Set([0xff00, 0xff01]);

export interface PendingRequestOptions {
  /** 'C-FIND' or 'C-GET', for messages. */
  service: string;
  idleTimeoutMs?: number;
  totalTimeoutMs?: number;
  signal?: AbortSignal;
  onPending?: (rsp: DimseResponse) => void;
}

export interface PendingRequestResult {
  /** The final response; undefined when cancelled and the archive never sent one (then aborted). */
  final: DimseResponse | undefined;
  cancelled: boolean;
}

export class PendingRequest {
  private timer: NodeJS.Timeout | undefined;
  private timeoutError: DimseError | undefined;
  private readonly idleMs: number;

  constructor(
    private readonly a: RequestorAssociation,
    private readonly o: PendingRequestOptions,
  ) {
    this.idleMs = o.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  }

  /** A sign of life from the archive (a sub-operation): the idle deadline starts again. */
  kick(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timeoutError = new DimseError('timeout', `no response from ${this.a.called.aeTitle} for ${this.idleMs} ms`);
      this.a.abort();
    }, this.idleMs);
  }

  async run(req: DimseRequest, abstractSyntax: string): Promise<PendingRequestResult> {
    let cancelled = false;
    let answered = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      if (cancelled) return;
      cancelled = true;
      internals(this.a.network).sendCancel(req);
      graceTimer = setTimeout(() => this.a.abort(), CANCEL_GRACE_MS);
    };
    req.on('response', (rsp: DimseResponse) => {
      answered = true;
      this.kick();
      if (PENDING.has(rsp.getStatus())) this.o.onPending?.(rsp);
    });
    this.kick();
    const sent = this.a.request(req, abstractSyntax, this.o.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS);
    if (this.o.signal?.aborted) onAbort();
    else this.o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return { final: await sent, cancelled };
    } catch (e) {
      if (this.timeoutError) throw this.timeoutError;
      if (cancelled && e instanceof DimseError && !this.a.isOpen) return { final: undefined, cancelled };
      if (e instanceof DimseError && e.kind === 'aborted' && !answered && e.message.includes('(A-ABORT,')) {
        // Orthanc, for one, accepts an association from an AE it does not know (when it lets unknown AEs store),
        // then aborts on its first query: say what that most likely means.
        const { called, callingAeTitle } = this.a;
        throw new DimseError(
          'aborted',
          `${called.aeTitle} ended the association instead of answering the ${this.o.service} request: it may not know calling AE title ${callingAeTitle}, or not allow it this service (${e.message})`,
          e.detail,
        );
      }
      throw e;
    } finally {
      clearTimeout(this.timer);
      clearTimeout(graceTimer);
      this.o.signal?.removeEventListener('abort', onAbort);
    }
  }
}
