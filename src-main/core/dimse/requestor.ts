/**
 * One association opened by Safekeep (association requestor), driven directly on
 * dcmjs-dimse's Network class (see lib.ts for why not Client).
 *
 * Every wait has Safekeep's own deadline; a failure of the association is a DimseError,
 * a DIMSE status is data.
 */
import net from 'node:net';
import tls from 'node:tls';
import {
  Network,
  association as assocNs,
  constants,
  type Association,
  type DimseRequest,
  type DimseResponse,
  type NEventReportRequest,
  type NetworkInstance,
} from './lib';
import { describeAbort, describeReject, makeEventReportResponse } from './association-words';
import { DimseError, EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN, type AeAddress } from './types';

export interface ProposedContext {
  abstractSyntax: string;
  /** Role selection item (54H): whether the requestor may act as SCU / as SCP. Omit both for default roles. */
  scuRole?: boolean;
  scpRole?: boolean;
  /** Transfer syntaxes to propose, in order (default: explicit, then implicit VR little endian). */
  transferSyntaxes?: string[];
}

export interface AcceptedContext {
  id: number;
  abstractSyntax: string;
  transferSyntax: string;
  /** Roles as answered by the acceptor's role selection item; undefined when it sent none. */
  scuRole: boolean | undefined;
  scpRole: boolean | undefined;
}

const PENDING_STATUSES = new Set([0xff00, 0xff01]);
/** The library's own idle timers only act as a last resort; Safekeep keeps the real deadlines. */
const LIBRARY_TIMEOUT_FLOOR_MS = 10 * 60_000;

function peerName(called: AeAddress): string {
  return `${called.aeTitle} at ${called.host}:${called.port}`;
}

type Phase = 'opening' | 'open' | 'releasing' | 'ended';

export class RequestorAssociation {
  private phase: Phase = 'opening';
  private connected = false;
  private endError: DimseError | undefined;
  private accepted: Association | undefined;
  private readonly endListeners = new Set<(error: DimseError | undefined) => void>();
  private openResult: { resolve: () => void; reject: (e: DimseError) => void } | undefined;
  /** Set by the owner: an N-EVENT-REPORT that arrives on this association. */
  onEventReport: ((request: NEventReportRequest, respond: (response: DimseResponse) => void) => void) | undefined;

  private constructor(
    /** The library's state machine, for facades that work below `request()` (store-scu.ts, get-scu.ts). */
    readonly network: NetworkInstance,
    private readonly socket: net.Socket,
    readonly called: AeAddress,
    readonly callingAeTitle: string,
    private readonly socketError: () => (Error & { code?: string }) | undefined,
  ) {}

  /** Connects, negotiates, and resolves once A-ASSOCIATE-AC arrives (DimseError otherwise). */
  static async open(o: {
    callingAeTitle: string;
    called: AeAddress;
    contexts: ProposedContext[];
    timeoutMs: number;
    /** How long the association may stay idle inside the library (default: generous). */
    idleMs?: number;
  }): Promise<RequestorAssociation> {
    for (const [what, aet] of [
      ['calling', o.callingAeTitle],
      ['called', o.called.aeTitle],
    ] as const) {
      // PS3.8: AE titles are 1-16 characters; the PDU writer would silently pad or cut them.
      if (aet.trim().length === 0 || aet.length > 16) throw new RangeError(`${what} AE title "${aet}" must be 1 to 16 characters`);
    }
    const rq = new assocNs.Association(o.callingAeTitle, o.called.aeTitle);
    for (const c of o.contexts) {
      const id = rq.addPresentationContext(c.abstractSyntax);
      for (const ts of c.transferSyntaxes ?? [EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN]) {
        rq.addTransferSyntaxToPresentationContext(id, ts);
      }
      if (c.scuRole !== undefined || c.scpRole !== undefined) {
        const pc = rq.getPresentationContext(id);
        pc.setUserRole(c.scuRole === true);
        pc.setProviderRole(c.scpRole === true);
      }
    }
    const libraryTimeout = Math.max(LIBRARY_TIMEOUT_FLOOR_MS, (o.idleMs ?? 0) + o.timeoutMs * 2);
    const { host, port } = o.called;
    // DICOM TLS: the host name is checked against the certificate (an IP address against its IP SANs).
    const socket = o.called.tls ? tls.connect({ ...o.called.tls, host, port, ...(net.isIP(host) ? {} : { servername: host }) }) : net.connect({ host, port });
    // Before the library attaches its own listeners (it emits networkError synchronously from
    // its socket 'error' handler): keep the socket error and its code.
    let socketError: (Error & { code?: string }) | undefined;
    socket.on('error', (err: Error & { code?: string }) => {
      socketError ??= err;
    });
    const network = new Network(socket, {
      connectTimeout: libraryTimeout,
      associationTimeout: libraryTimeout,
      pduTimeout: libraryTimeout,
    });
    const a = new RequestorAssociation(network, socket, o.called, o.callingAeTitle, () => socketError);
    a.wire(rq);
    const opened = new Promise<void>((resolve, reject) => {
      a.openResult = { resolve, reject };
    });
    const timer = setTimeout(() => {
      a.fail(
        new DimseError(
          'timeout',
          a.connected
            ? `no answer to the association request from ${peerName(o.called)} within ${o.timeoutMs} ms`
            : `could not connect to ${peerName(o.called)} within ${o.timeoutMs} ms`,
        ),
      );
    }, o.timeoutMs);
    try {
      await opened;
    } finally {
      clearTimeout(timer);
    }
    return a;
  }

  private wire(rq: Association): void {
    const { network } = this;
    network.on('connect', () => {
      this.connected = true;
      network.sendAssociationRequest(rq);
      // The RQ is written synchronously above. Forget the proposed roles so that, after the
      // A-ASSOCIATE-AC is read into this same object, they reflect only what the acceptor
      // answered (the library sets them only when the AC carries a role selection item).
      for (const { context } of rq.getPresentationContexts()) {
        (context as unknown as { userRole?: boolean; providerRole?: boolean }).userRole = undefined;
        (context as unknown as { userRole?: boolean; providerRole?: boolean }).providerRole = undefined;
      }
    });
    network.on('associationAccepted', (ac) => {
      if (this.phase !== 'opening') return;
      this.accepted = ac;
      this.phase = 'open';
      this.openResult?.resolve();
      this.openResult = undefined;
    });
    network.on('associationRejected', (r) => {
      const err = new DimseError('rejected', `association rejected by ${this.called.aeTitle} (${describeReject(r)})`, JSON.stringify(r));
      err.permanent = r.result !== constants.RejectResult.Transient;
      this.fail(err);
    });
    network.on('abort', (info) => {
      this.fail(
        new DimseError(
          'aborted',
          `association ${this.phase === 'opening' ? 'request ' : ''}aborted by ${this.called.aeTitle} (A-ABORT, ${describeAbort(info)})`,
          JSON.stringify(info),
        ),
      );
    });
    network.on('associationReleaseRequested', () => {
      // Unusual (the acceptor asks to release): answer and end.
      try {
        network.sendAssociationReleaseResponse();
      } finally {
        this.end(new DimseError('aborted', `${this.called.aeTitle} released the association`));
      }
    });
    network.on('associationReleaseResponse', () => {
      this.end(undefined);
    });
    network.on('nEventReportRequest', (request, respond) => {
      if (this.onEventReport) this.onEventReport(request, respond);
      // No handler: answer Processing failure rather than leaving the peer waiting.
      else respond(makeEventReportResponse(request, 0x0110));
    });
    network.on('networkError', (err) => {
      // Deferred like 'close' below, so that an A-ABORT read just before wins.
      setImmediate(() => this.fail(this.errorFromNetwork(err)));
    });
    network.on('close', () => {
      if (this.phase === 'releasing') {
        this.end(undefined);
        return;
      }
      // Node emits 'close' from process.nextTick, which runs before the library has delivered an
      // A-ABORT read in the same turn (its events go through the microtask queue): wait one
      // macrotask so that the more telling abort wins.
      setImmediate(() => this.fail(this.errorFromNetwork(undefined)));
    });
  }

  private errorFromNetwork(err: Error | undefined): DimseError {
    const code = this.socketError()?.code;
    const name = peerName(this.called);
    const tlsAlert = /alert|certificate|ssl|tls/i.test(this.socketError()?.message ?? '');
    if (this.called.tls && this.phase === 'opening' && (!(this.socket as tls.TLSSocket).authorized || tlsAlert)) {
      // Before the handshake finished: a certificate refused by either side, or a peer that does not speak TLS.
      const why = this.socketError()?.message ?? 'the connection closed during the TLS handshake (does the archive speak DICOM TLS on this port, and accept this client certificate?)';
      return new DimseError('connect-failed', `DICOM TLS handshake with ${name} failed: ${why}`, code);
    }
    if (!this.connected) {
      const why = code === 'ECONNREFUSED' ? 'connection refused' : (this.socketError()?.message ?? err?.message ?? 'connection failed');
      return new DimseError('connect-failed', `could not connect to ${name} (${why})`, code);
    }
    if (this.phase === 'opening') {
      // Seen when the archive shuts down or restarts, and from archives that drop unknown calling AE titles.
      return new DimseError(
        'aborted',
        `${this.called.aeTitle} closed the connection before answering the association request (it may be restarting, or it does not know calling AE title ${this.callingAeTitle})`,
        this.socketError()?.message ?? err?.message,
      );
    }
    if (err && /timeout/i.test(err.message)) {
      // The library's own idle timers (set generously, see lib.ts) aborted the association.
      return new DimseError('timeout', `association with ${name} timed out inside dcmjs-dimse: ${err.message}`, err.message);
    }
    if (err && !this.socketError() && !/Connection (error|closed)/.test(err.message)) {
      return new DimseError('protocol', `DICOM protocol error with ${name}: ${err.message}`, err.message);
    }
    return new DimseError('aborted', `connection to ${name} closed unexpectedly`, this.socketError()?.message ?? err?.message);
  }

  /** Ends the association abnormally (once); pending waits get the error. */
  private fail(error: DimseError): void {
    if (this.phase === 'ended') return;
    this.end(error);
    this.destroySocket(error.kind === 'timeout');
  }

  private end(error: DimseError | undefined): void {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    this.endError = error;
    if (this.openResult) {
      this.openResult.reject(error ?? new DimseError('aborted', `association with ${this.called.aeTitle} ended before it was accepted`));
      this.openResult = undefined;
    }
    for (const l of [...this.endListeners]) l(error);
    this.endListeners.clear();
    if (!this.socket.destroyed) this.socket.end();
  }

  private destroySocket(sendAbort: boolean): void {
    if (sendAbort && this.connected && !this.socket.destroyed) {
      try {
        this.network.sendAbort();
      } catch {
        // best effort
      }
    }
    if (!this.socket.destroyed) {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    }
  }

  get isOpen(): boolean {
    return this.phase === 'open';
  }

  get acceptedAssociation(): Association {
    if (!this.accepted) throw new Error('association not accepted');
    return this.accepted;
  }

  /** The accepted presentation context for an abstract syntax, if any. */
  acceptedContext(abstractSyntax: string): AcceptedContext | undefined {
    return this.acceptedContexts(abstractSyntax)[0];
  }

  /** Every accepted presentation context (for one abstract syntax, or all), in proposal order. */
  acceptedContexts(abstractSyntax?: string): AcceptedContext[] {
    if (!this.accepted) return [];
    const out: AcceptedContext[] = [];
    for (const { id, context } of this.accepted.getPresentationContexts()) {
      if (abstractSyntax !== undefined && context.getAbstractSyntaxUid() !== abstractSyntax) continue;
      if (context.getResult() !== constants.PresentationContextResult.Accept) continue;
      const ts = context.getAcceptedTransferSyntaxUid();
      if (!ts) continue;
      out.push({ id, abstractSyntax: context.getAbstractSyntaxUid(), transferSyntax: ts, scuRole: context.getUserRole(), scpRole: context.getProviderRole() });
    }
    return out;
  }

  /** A one-line description of the negotiated contexts, for logs and error messages. */
  describeContexts(): string {
    if (!this.accepted) return 'not negotiated';
    return this.accepted
      .getPresentationContexts()
      .map(({ id, context }) => `#${id} ${context.getAbstractSyntaxUid()}: ${context.getResultDescription()}`)
      .join('; ');
  }

  /** Resolves with `listener` registered for the end of the association. */
  onEnd(listener: (error: DimseError | undefined) => void): () => void {
    if (this.phase === 'ended') {
      listener(this.endError);
      return () => {};
    }
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /**
   * Sends one request and resolves with its final (non-pending) response. The request's
   * data set, if any, is re-labelled with the negotiated transfer syntax (its elements are
   * naturalized, so no transcoding is involved).
   */
  request(req: DimseRequest, abstractSyntax: string, timeoutMs: number): Promise<DimseResponse> {
    if (this.phase !== 'open') {
      return Promise.reject(this.endError ?? new DimseError('aborted', `association with ${this.called.aeTitle} is not open`));
    }
    const pc = this.acceptedContext(abstractSyntax);
    if (!pc) {
      const err = new DimseError('rejected', `${this.called.aeTitle} did not accept a presentation context for ${abstractSyntax} (${this.describeContexts()})`);
      err.permanent = true;
      return Promise.reject(err);
    }
    req.getDataset()?.setTransferSyntaxUid(pc.transferSyntax);
    return new Promise<DimseResponse>((resolve, reject) => {
      let done = false;
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        off();
        fn();
      };
      const timer = setTimeout(() => {
        finish(() => reject(new DimseError('timeout', `no response from ${this.called.aeTitle} within ${timeoutMs} ms`)));
        this.fail(new DimseError('timeout', `no response from ${this.called.aeTitle} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onEnd((error) =>
        finish(() => reject(error ?? new DimseError('aborted', `association with ${this.called.aeTitle} ended before the response`))),
      );
      req.on('response', (response: DimseResponse) => {
        if (PENDING_STATUSES.has(response.getStatus())) return;
        finish(() => resolve(response));
      });
      this.network.sendRequests(req);
    });
  }

  /** A-RELEASE; resolves when released or when the deadline passes (then the socket is dropped). */
  async release(timeoutMs: number): Promise<void> {
    if (this.phase !== 'open') return;
    this.phase = 'releasing';
    const ended = new Promise<void>((resolve) => this.onEnd(() => resolve()));
    this.network.sendAssociationReleaseRequest();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const r = await Promise.race([ended, timedOut]);
    clearTimeout(timer);
    if (r === 'timeout') {
      this.end(undefined);
      this.destroySocket(true);
    }
  }

  /** A-ABORT and drop the connection. */
  abort(): void {
    if (this.phase === 'ended') return;
    this.end(new DimseError('aborted', 'association aborted by Safekeep'));
    this.destroySocket(true);
  }
}
