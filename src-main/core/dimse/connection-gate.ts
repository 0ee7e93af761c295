/**
 * Admission of TCP connections to the DICOM listener: at most `maxAssociations` associations
 * open or being negotiated at once (the next one is read up to its A-ASSOCIATE-RQ and rejected,
 * transient, local limit exceeded), each behind a PduGuard, and a hard ceiling on sockets so that
 * the refused ones cannot pile up either. Every refusal is logged (who, why) and reported.
 */
import type net from 'node:net';
import { log } from '../log';
import { PduGuard, type ConnectionRefusal, type ListenerLimits } from './pdu-guard';

/** Log lines about refusals per window; past it they are counted and summed up once the window ends. */
const LOG_BURST = 20;
const LOG_WINDOW_MS = 10_000;

export class ConnectionGate {
  private open = 0;
  private logged = 0;
  private suppressed = 0;
  private windowTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: ListenerLimits,
    private readonly onRefused: ((r: ConnectionRefusal) => void) | undefined,
  ) {}

  /** Associations open or being negotiated now. */
  get openAssociations(): number {
    return this.open;
  }

  /** Sockets beyond the ceiling are dropped by Node before anything is read ('drop'). */
  attach(server: net.Server): void {
    server.maxConnections = this.limits.maxAssociations * 2 + 10;
    server.on('drop', (d?: { remoteAddress?: string; remotePort?: number }) => {
      const peer = d?.remoteAddress?.replace(/^::ffff:/, '') ?? '';
      this.report({ peer, peerPort: d?.remotePort ?? 0, reason: 'too-many-connections', detail: `more than ${server.maxConnections} connections`, bytesRead: 0 });
    });
  }

  /**
   * A new connection. Returns its guard, to start once the library wrapped the socket, or null when
   * the connection is refused (the guard then reads the A-ASSOCIATE-RQ and rejects it on its own).
   */
  admit(socket: net.Socket): PduGuard | null {
    if (this.open >= this.limits.maxAssociations) {
      new PduGuard(socket, this.limits, 'busy', (r) => this.report(r)).start();
      return null;
    }
    this.open++;
    socket.once('close', () => this.open--);
    return new PduGuard(socket, this.limits, 'serve', (r) => this.report(r));
  }

  stop(): void {
    clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
  }

  private report(r: ConnectionRefusal): void {
    this.onRefused?.(r);
    if (this.logged < LOG_BURST) {
      this.logged++;
      log('dimse').warn(describeRefusal(r));
    } else {
      this.suppressed++;
    }
    this.windowTimer ??= setTimeout(() => {
      this.windowTimer = undefined;
      if (this.suppressed > 0) log('dimse').warn(`DICOM listener: ${this.suppressed} more connection(s) refused in the last ${LOG_WINDOW_MS / 1000} s`);
      this.logged = 0;
      this.suppressed = 0;
    }, LOG_WINDOW_MS);
    this.windowTimer.unref();
  }
}

export function describeRefusal(r: ConnectionRefusal): string {
  const who = r.callingAeTitle ? `${r.callingAeTitle} at ${r.peer}:${r.peerPort}` : `${r.peer}:${r.peerPort}`;
  const called = r.calledAeTitle ? ` (called AE ${r.calledAeTitle})` : '';
  return `DICOM connection from ${who}${called} refused (${r.reason}): ${r.detail}; ${r.bytesRead} byte(s) read`;
}
