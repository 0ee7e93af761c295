/**
 * Safekeep as association acceptor on one TCP port: C-ECHO, Storage Commitment N-ACTION
 * (Safekeep as commitment SCP) and N-EVENT-REPORT (an archive reporting back to Safekeep
 * as commitment SCU, on a new association).
 *
 * dcmjs-dimse's `Server` cannot bind a host nor tell the ephemeral port, so this class owns
 * the net.Server and creates one `Scp` subclass instance per connection, as `Server` does.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ConnectionGate } from './connection-gate';
import { parseNActionElements, readEventReport, reportElements, reportEventType } from './commitment-data';
import {
  Dataset,
  Scp,
  constants,
  requests,
  responses,
  type Association,
  type CEchoRequest,
  type DimseResponse,
  type NActionRequest,
  type NEventReportRequest,
} from './lib';
import type { DimseListenerOptions, ListenerHandlers, SameAssociationReporter } from './listener-types';
import { DEFAULT_LISTENER_LIMITS, peerAddress, type ConnectionRefusal, type ListenerLimits, type PduGuard } from './pdu-guard';
import { dropEmptyErrorComment, makeEventReportResponse } from './association-words';
import {
  ACTION_TYPE_REQUEST_COMMITMENT,
  DIMSE_STATUS,
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
  STORAGE_COMMITMENT_PUSH_MODEL_SOP_CLASS as PUSH_MODEL,
  STORAGE_COMMITMENT_PUSH_MODEL_SOP_INSTANCE as PUSH_MODEL_INSTANCE,
  VERIFICATION_SOP_CLASS,
  describeStatus,
  type CommitmentReportContent,
  type NActionRequestData,
} from './types';

export type { DimseListenerOptions, ListenerHandlers, SameAssociationReporter } from './listener-types';

/** ErrorComment (0000,0902) is LO: at most 64 characters. */
function errorComment(text: string): string {
  return text.length <= 64 ? text : `${text.slice(0, 61)}...`;
}

type SessionState = 'negotiating' | 'open' | 'releasing' | 'ended';

export class DimseListener {
  readonly aeTitle: string;
  private readonly host: string;
  private readonly requestedPort: number;
  private readonly handlers: ListenerHandlers;
  private readonly otherAeTitles: () => readonly string[];
  private readonly log: (msg: string) => void;
  private readonly idleTimeoutMs: number;
  private readonly limits: ListenerLimits;
  private readonly onRefused: ((r: ConnectionRefusal) => void) | undefined;
  private gate: ConnectionGate | undefined;
  private readonly tls: tls.TlsOptions | undefined;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private actualPort = 0;

  constructor(o: DimseListenerOptions) {
    this.aeTitle = o.aeTitle;
    this.host = o.host;
    this.requestedPort = o.port;
    this.handlers = o.handlers;
    this.otherAeTitles = o.otherAeTitles ?? (() => []);
    this.log = o.logger ?? (() => {});
    this.idleTimeoutMs = o.idleTimeoutMs ?? 60_000;
    this.limits = { ...DEFAULT_LISTENER_LIMITS, ...o.limits };
    this.onRefused = o.onRefused;
    this.tls = o.tls;
  }

  get port(): number {
    return this.actualPort;
  }

  async start(): Promise<{ port: number }> {
    if (this.server) throw new Error('DimseListener already started');
    const SessionClass = makeSessionClass(this.aeTitle, this.otherAeTitles, this.handlers, this.log, this.limits.maxPduLength);
    const gate = new ConnectionGate(this.limits, this.onRefused);
    const server = createServer(this.tls, this.log, (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      const guard = gate.admit(socket);
      if (!guard) return;
      const session = new SessionClass(socket, {
        connectTimeout: this.idleTimeoutMs,
        associationTimeout: this.idleTimeoutMs,
        pduTimeout: this.idleTimeoutMs,
      }, guard);
      // As dcmjs-dimse's Server does: the socket is already connected.
      (session as unknown as { connected: boolean }).connected = true;
      // After the library wrapped the socket: from now on it reads only checked PDUs.
      guard.start();
    });
    gate.attach(server);
    this.gate = gate;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        server.off('listening', onListening);
        reject(err);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(this.requestedPort, this.host);
    });
    server.on('error', (err) => this.log(`DICOM listener error: ${err.message}`));
    this.server = server;
    const address = server.address();
    this.actualPort = typeof address === 'object' && address ? address.port : this.requestedPort;
    this.log(`DICOM listener ${this.aeTitle} on ${this.host}:${this.actualPort}${this.tls ? ' (DICOM TLS only)' : ''}`);
    return { port: this.actualPort };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.gate?.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }
}

/** A plain TCP server, or with TLS options one whose connections reach `onSocket` only after a successful handshake. */
function createServer(options: tls.TlsOptions | undefined, log: (msg: string) => void, onSocket: (socket: net.Socket) => void): net.Server {
  if (!options) return net.createServer(onSocket);
  const server = tls.createServer(options, onSocket);
  server.on('tlsClientError', (err, socket) => log(`DICOM TLS handshake with ${socket.remoteAddress?.replace(/^::ffff:/, '')} failed: ${err.message}`));
  return server;
}

function makeSessionClass(
  aeTitle: string,
  otherAeTitles: () => readonly string[],
  handlers: ListenerHandlers,
  log: (msg: string) => void,
  maxPduLength: number,
) {
  return class Session extends Scp {
    private state: SessionState = 'negotiating';
    private readonly endListeners = new Set<() => void>();
    /** N-EVENT-REPORTs sent on this association and not answered yet. */
    private readonly outstanding = new Set<Promise<unknown>>();
    private peer = '';

    constructor(
      socket: net.Socket,
      opts: { connectTimeout: number; associationTimeout: number; pduTimeout: number },
      private readonly guard: PduGuard,
    ) {
      super(socket, opts);
      this.peer = peerAddress(socket);
      this.on('networkError', (err: Error) => {
        log(`association with ${this.peer}: ${err.message}`);
        this.end();
        socket.destroy();
      });
      this.on('close', () => this.end());
    }

    private get sock(): net.Socket {
      return (this as unknown as { socket: net.Socket }).socket;
    }

    private get assoc(): Association | undefined {
      return (this as unknown as { association?: Association }).association;
    }

    private end(): void {
      if (this.state === 'ended') return;
      this.state = 'ended';
      for (const l of [...this.endListeners]) l();
      this.endListeners.clear();
    }

    private reject(reason: number, why: string): void {
      log(`association from ${this.assoc?.getCallingAeTitle()} at ${this.peer} rejected: ${why}`);
      this.sendAssociationReject(constants.RejectResult.Permanent, constants.RejectSource.ServiceUser, reason);
      this.end();
      // Give the A-ASSOCIATE-RJ a moment to leave, then close from our side if the peer does not.
      const socket = this.sock;
      setTimeout(() => socket.end(), 100).unref();
      setTimeout(() => socket.destroy(), 2_000).unref();
    }

    override associationRequested(a: Association): void {
      const callingAeTitle = a.getCallingAeTitle();
      const calledAeTitle = a.getCalledAeTitle();
      if (calledAeTitle !== aeTitle && !otherAeTitles().includes(calledAeTitle)) {
        this.reject(constants.RejectReason.CalledAeNotRecognized, `called AE title "${calledAeTitle}" is not "${aeTitle}"`);
        return;
      }
      let refusal: string | null;
      try {
        refusal = handlers.admit({ callingAeTitle, calledAeTitle, remoteHost: this.peer });
      } catch (err) {
        refusal = `admission check failed: ${(err as Error).message}`;
      }
      if (refusal !== null) {
        this.reject(constants.RejectReason.CallingAeNotRecognized, refusal);
        return;
      }
      const R = constants.PresentationContextResult;
      for (const { context } of a.getPresentationContexts()) {
        const abstract = context.getAbstractSyntaxUid();
        if (abstract !== VERIFICATION_SOP_CLASS && abstract !== PUSH_MODEL) {
          context.setResult(R.RejectAbstractSyntaxNotSupported);
          continue;
        }
        const ts = context.hasTransferSyntaxUid(EXPLICIT_VR_LITTLE_ENDIAN)
          ? EXPLICIT_VR_LITTLE_ENDIAN
          : context.hasTransferSyntaxUid(IMPLICIT_VR_LITTLE_ENDIAN)
            ? IMPLICIT_VR_LITTLE_ENDIAN
            : undefined;
        if (!ts) {
          context.setResult(R.RejectTransferSyntaxesNotSupported);
          continue;
        }
        context.setResult(R.Accept, ts);
        // Role selection: the library echoes the proposed SCU/SCP roles in the A-ASSOCIATE-AC,
        // i.e. Safekeep accepts whatever roles the requestor proposed for these two classes
        // (SCP role included: that is how an archive reports on a new association).
      }
      this.state = 'open';
      log(`association from ${callingAeTitle} at ${this.peer} accepted`);
      // The library answers min(proposed, its own 256 KiB) and reads 0 as "no limit": Safekeep always
      // offers a limit, and its guard holds the peer to it (pdu-guard.ts).
      const proposed = a.getMaxPduLength();
      a.setMaxPduLength(proposed > 0 ? Math.min(proposed, maxPduLength) : maxPduLength);
      this.sendAssociationAccept();
      this.guard.negotiated(a.getMaxPduLength());
    }

    override associationReleaseRequested(): void {
      if (this.state === 'open' && this.outstanding.size > 0) {
        // A report is on its way to the requestor: answer the release once its RSP came back
        // (or its own deadline passed). No new report starts in 'releasing'.
        this.state = 'releasing';
        void Promise.allSettled([...this.outstanding]).then(() => {
          if (this.state === 'ended') return;
          this.end();
          this.sendAssociationReleaseResponse();
        });
        return;
      }
      this.end();
      this.sendAssociationReleaseResponse();
    }

    override abort(source: number, reason: number): void {
      log(`association from ${this.assoc?.getCallingAeTitle()} at ${this.peer} aborted by the peer (source ${source}, reason ${reason})`);
      this.end();
    }

    override cEchoRequest(request: CEchoRequest, callback: (response: InstanceType<typeof responses.CEchoResponse>) => void): void {
      const rsp = responses.CEchoResponse.fromRequest(request);
      rsp.setStatus(DIMSE_STATUS.Success);
      dropEmptyErrorComment(rsp);
      callback(rsp);
    }

    override nActionRequest(request: NActionRequest, callback: (response: InstanceType<typeof responses.NActionResponse>) => void): void {
      let markSent: () => void = () => {};
      const rspSent = new Promise<void>((resolve) => {
        markSent = resolve;
      });
      const respond = (status: number, problem?: string) => {
        if (this.state === 'ended') {
          log(`N-ACTION-RSP ${describeStatus(status)} not sent: the association is gone`);
          return;
        }
        const rsp = responses.NActionResponse.fromRequest(request);
        rsp.setStatus(status);
        if (status !== DIMSE_STATUS.Success && problem) rsp.setErrorComment(errorComment(problem));
        else dropEmptyErrorComment(rsp);
        callback(rsp);
        markSent();
      };
      const calling = this.assoc?.getCallingAeTitle() ?? '';
      const refuse = (status: number, problem: string) => {
        log(`N-ACTION from ${calling} refused with ${describeStatus(status)}: ${problem}`);
        respond(status, problem);
      };

      const sopClass = request.getRequestedSopClassUid();
      if (sopClass !== PUSH_MODEL) return refuse(DIMSE_STATUS.NoSuchSopClass, `Requested SOP Class ${sopClass} is not Storage Commitment Push Model`);
      const instance = request.getRequestedSopInstanceUid();
      if (instance !== PUSH_MODEL_INSTANCE) return refuse(DIMSE_STATUS.InvalidSopInstance, `Requested SOP Instance ${instance} is not ${PUSH_MODEL_INSTANCE}`);
      const actionType = request.getActionTypeId();
      if (actionType !== ACTION_TYPE_REQUEST_COMMITMENT) return refuse(DIMSE_STATUS.NoSuchAction, `Action Type ID ${actionType} is not 1`);
      const parsed = parseNActionElements(request.getDataset()?.getElements());
      if (!parsed.ok) return refuse(parsed.status, parsed.problem);

      const data: NActionRequestData = {
        ...parsed.value,
        callingAeTitle: calling,
        calledAeTitle: this.assoc?.getCalledAeTitle() ?? aeTitle,
        remoteHost: this.peer,
      };
      const reporter: SameAssociationReporter = {
        sendReportIfOpen: async (report, timeoutMs) => {
          await rspSent;
          return this.sendReportHere(report, timeoutMs);
        },
      };
      handlers.onNAction(data, reporter).then(
        (status) => respond(status),
        (err: unknown) => {
          log(`N-ACTION handler failed for transaction ${data.transactionUid}: ${(err as Error).message}`);
          respond(DIMSE_STATUS.ProcessingFailure, 'processing failure');
        },
      );
    }

    private sendReportHere(report: CommitmentReportContent, timeoutMs: number): Promise<{ status: number } | null> {
      if (this.state !== 'open') return Promise.resolve(null);
      const ctx = this.assoc?.getAcceptedPresentationContextFromRequest(
        new requests.NEventReportRequest(PUSH_MODEL, PUSH_MODEL_INSTANCE, reportEventType(report)),
      );
      if (!ctx) return Promise.resolve(null);
      const req = new requests.NEventReportRequest(PUSH_MODEL, PUSH_MODEL_INSTANCE, reportEventType(report));
      const ds = new Dataset(reportElements(report));
      ds.setTransferSyntaxUid(ctx.getAcceptedTransferSyntaxUid() ?? IMPLICIT_VR_LITTLE_ENDIAN);
      req.setDataset(ds);
      const sent = new Promise<{ status: number } | null>((resolve) => {
        let done = false;
        const finish = (v: { status: number } | null) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.endListeners.delete(onEnd);
          resolve(v);
        };
        const timer = setTimeout(() => {
          log(`no N-EVENT-REPORT-RSP from ${this.assoc?.getCallingAeTitle()} within ${timeoutMs} ms (transaction ${report.transactionUid})`);
          finish(null);
        }, timeoutMs);
        const onEnd = () => finish(null);
        this.endListeners.add(onEnd);
        req.on('response', (rsp: DimseResponse) => finish({ status: rsp.getStatus() }));
        this.sendRequests(req);
      });
      this.outstanding.add(sent);
      void sent.finally(() => this.outstanding.delete(sent));
      return sent;
    }

    override nEventReportRequest(
      request: NEventReportRequest,
      callback: (response: InstanceType<typeof responses.NEventReportResponse>) => void,
    ): void {
      const calling = this.assoc?.getCallingAeTitle() ?? '';
      const read = readEventReport(request, { callingAeTitle: calling, sameAssociation: false });
      if (!read.ok) {
        log(`N-EVENT-REPORT from ${calling} refused with ${describeStatus(read.status)}: ${read.problem}`);
        callback(makeEventReportResponse(request, read.status) as InstanceType<typeof responses.NEventReportResponse>);
        return;
      }
      const answer = (status: number) => {
        if (this.state === 'ended') {
          log(`N-EVENT-REPORT-RSP ${describeStatus(status)} for ${read.value.transactionUid} not sent: the association is gone`);
          return;
        }
        callback(makeEventReportResponse(request, status) as InstanceType<typeof responses.NEventReportResponse>);
      };
      handlers.onEventReport(read.value).then(answer, (err: unknown) => {
        log(`N-EVENT-REPORT handler failed for transaction ${read.value.transactionUid}: ${(err as Error).message}`);
        answer(DIMSE_STATUS.ProcessingFailure);
      });
    }
  };
}
