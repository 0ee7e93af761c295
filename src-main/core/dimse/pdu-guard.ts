/**
 * The DICOM listener's first line of defence: between the raw socket and dcmjs-dimse, it frames
 * the byte stream into PDUs (type, reserved byte, 4-byte length: PS3.8 9.3.1) and passes a PDU on
 * only once its header has been checked. dcmjs-dimse's accumulator keeps a PDU whole in memory,
 * with one Buffer.concat per chunk (quadratic), however long the announced length: a PDU longer
 * than Safekeep accepts is refused with an A-ABORT before any of its body is read.
 *
 * Limits (PS3.8): a P-DATA-TF no longer than the maximum PDU length Safekeep offered in its
 * A-ASSOCIATE-AC, and none before it; every other PDU no longer than a small cap (an
 * A-ASSOCIATE-RQ is a few hundred bytes; release and abort PDUs are 4). The ARTIM timer
 * (9.1.5) closes a connection that has not finished negotiating the association in time.
 *
 * The library reads its socket through one 'data' listener (Network._wrapSocket in
 * dcmjs-dimse 0.3.3): the guard removes it and calls it with the checked bytes only.
 */
import type net from 'node:net';

export interface ListenerLimits {
  /** The largest P-DATA-TF PDU Safekeep accepts; offered in the A-ASSOCIATE-AC (PS3.8 D.1). */
  maxPduLength: number;
  /** The largest A-ASSOCIATE-RQ, and any other PDU than P-DATA-TF. */
  maxAssociateRqLength: number;
  /** ARTIM (PS3.8 9.1.5): how long a connection may take to finish association negotiation. */
  artimMs: number;
  /** Associations open or being negotiated at once; the next one is rejected (transient, local limit exceeded). */
  maxAssociations: number;
  /** After an A-ABORT or A-ASSOCIATE-RJ sent by the guard: how long the peer has to read it before the socket is destroyed. */
  lingerMs: number;
}

/** 256 KiB: dcmjs-dimse's own default maximum PDU length, the value Safekeep has always offered. */
export const DEFAULT_LISTENER_LIMITS: ListenerLimits = {
  maxPduLength: 262_144,
  maxAssociateRqLength: 65_536,
  artimMs: 30_000,
  maxAssociations: 50,
  lingerMs: 1_000,
};

export type RefusalReason =
  | 'pdu-too-long'
  | 'unexpected-pdu'
  | 'unknown-pdu'
  | 'artim-expired'
  | 'too-many-associations'
  | 'too-many-connections';

/** One connection Safekeep refused or cut, for the log and the audit trail. */
export interface ConnectionRefusal {
  peer: string;
  peerPort: number;
  reason: RefusalReason;
  /** In words, for the log line. */
  detail: string;
  /** When the A-ASSOCIATE-RQ was read far enough to know them. */
  callingAeTitle?: string;
  calledAeTitle?: string;
  /** Bytes read from the connection when it was refused. */
  bytesRead: number;
}

const PDU_NAMES: Record<number, string> = {
  0x01: 'A-ASSOCIATE-RQ',
  0x02: 'A-ASSOCIATE-AC',
  0x03: 'A-ASSOCIATE-RJ',
  0x04: 'P-DATA-TF',
  0x05: 'A-RELEASE-RQ',
  0x06: 'A-RELEASE-RP',
  0x07: 'A-ABORT',
};
const ASSOCIATE_RQ = 0x01;
const P_DATA_TF = 0x04;
const HEADER_LENGTH = 6;
/** Of an A-ASSOCIATE-RQ's variable part: protocol version (2), reserved (2), called AE (16), calling AE (16). */
const AE_TITLES_END = 36;

/** A-ABORT, source 2 (service provider), reasons of PS3.8 9.3.8. */
const ABORT_REASON = { unrecognizedPdu: 1, unexpectedPdu: 2, invalidPduParameter: 6 } as const;

function abortPdu(reason: number): Buffer {
  return Buffer.from([0x07, 0, 0, 0, 0, 4, 0, 0, 2, reason]);
}

/** A-ASSOCIATE-RJ: rejected-transient (2), source service-provider presentation (3), local-limit-exceeded (2). */
const BUSY_REJECT = Buffer.from([0x03, 0, 0, 0, 0, 4, 0, 2, 3, 2]);

export function peerAddress(socket: net.Socket): string {
  const address = socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Mode 'serve' feeds the library; mode 'busy' reads the A-ASSOCIATE-RQ only to reject it (no library involved). */
type Mode = 'serve' | 'busy';

export class PduGuard {
  private readonly header = Buffer.alloc(HEADER_LENGTH);
  private headerFill = 0;
  private type = 0;
  /** Body bytes of the current PDU not read yet. */
  private remaining = 0;
  /** The largest P-DATA-TF allowed: 0 until the A-ASSOCIATE-AC has gone out. */
  private maxPData = 0;
  private rqStart: Buffer[] = [];
  private rqStartLength = 0;
  private stopped = false;
  private artim: NodeJS.Timeout | undefined;
  private deliver: (chunk: Buffer) => void = () => {};

  constructor(
    private readonly socket: net.Socket,
    private readonly limits: ListenerLimits,
    private readonly mode: Mode,
    private readonly onRefuse: (r: ConnectionRefusal) => void,
  ) {}

  /**
   * Starts reading. In mode 'serve', call it right after dcmjs-dimse wrapped the socket: its
   * 'data' listener is taken off the socket and from now on gets the checked bytes only.
   */
  start(): void {
    if (this.mode === 'serve') {
      const library = this.socket.listeners('data') as ((chunk: Buffer) => void)[];
      if (library.length !== 1) throw new Error('dcmjs-dimse: the socket has no single data listener; src-main/core/dimse/pdu-guard.ts needs an update');
      this.socket.removeListener('data', library[0]!);
      this.deliver = (chunk) => library[0]!.call(this.socket, chunk);
    } else {
      // Nobody else listens on this socket: a reset must not become an unhandled 'error'.
      this.socket.on('error', () => {});
    }
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.once('close', () => this.clearArtim());
    this.artim = setTimeout(() => {
      this.refuse('artim-expired', `association not negotiated within ${this.limits.artimMs} ms (ARTIM)`);
      this.socket.destroy();
    }, this.limits.artimMs);
    this.artim.unref();
  }

  /** The A-ASSOCIATE-AC offering this maximum PDU length is going out: ARTIM stops, P-DATA-TF may come. */
  negotiated(offeredMaxPduLength: number): void {
    this.clearArtim();
    this.maxPData = offeredMaxPduLength;
  }

  private clearArtim(): void {
    clearTimeout(this.artim);
    this.artim = undefined;
  }

  private read(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.stopped) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - offset);
        this.body(chunk.subarray(offset, offset + n));
        offset += n;
        this.remaining -= n;
        if (this.remaining === 0) this.pduRead();
        continue;
      }
      const n = Math.min(HEADER_LENGTH - this.headerFill, chunk.length - offset);
      chunk.copy(this.header, this.headerFill, offset, offset + n);
      this.headerFill += n;
      offset += n;
      if (this.headerFill < HEADER_LENGTH) continue;
      this.headerFill = 0;
      this.type = this.header[0]!;
      this.remaining = this.header.readUInt32BE(2);
      if (!this.admitHeader(this.type, this.remaining)) return;
      if (this.mode === 'serve') this.deliver(Buffer.from(this.header));
      if (this.remaining === 0) this.pduRead();
    }
  }

  /** Whether a PDU of this type and length may be read; refuses the connection otherwise. */
  private admitHeader(type: number, length: number): boolean {
    const name = PDU_NAMES[type];
    if (!name) return this.abort('unknown-pdu', ABORT_REASON.unrecognizedPdu, `unknown PDU type ${type}`);
    if (this.mode === 'busy' && type !== ASSOCIATE_RQ) {
      return this.abort('unexpected-pdu', ABORT_REASON.unexpectedPdu, `${name} instead of an A-ASSOCIATE-RQ`);
    }
    if (type === P_DATA_TF) {
      if (this.maxPData === 0) return this.abort('unexpected-pdu', ABORT_REASON.unexpectedPdu, 'P-DATA-TF before the association was accepted');
      if (length > this.maxPData) {
        return this.abort('pdu-too-long', ABORT_REASON.invalidPduParameter, `P-DATA-TF of ${length} bytes announced; the maximum PDU length offered is ${this.maxPData}`);
      }
      return true;
    }
    if (length > this.limits.maxAssociateRqLength) {
      return this.abort('pdu-too-long', ABORT_REASON.invalidPduParameter, `${name} of ${length} bytes announced; at most ${this.limits.maxAssociateRqLength} are read`);
    }
    return true;
  }

  private body(bytes: Buffer): void {
    if (this.type === ASSOCIATE_RQ && this.rqStartLength < AE_TITLES_END) {
      const part = bytes.subarray(0, AE_TITLES_END - this.rqStartLength);
      this.rqStart.push(Buffer.from(part));
      this.rqStartLength += part.length;
    }
    if (this.mode === 'serve') this.deliver(bytes);
  }

  private pduRead(): void {
    if (this.mode === 'busy' && this.type === ASSOCIATE_RQ) {
      this.refuse('too-many-associations', `${this.limits.maxAssociations} associations already open or being negotiated`);
      this.sendAndClose(BUSY_REJECT);
    }
  }

  private aeTitles(): { calledAeTitle?: string; callingAeTitle?: string } {
    if (this.rqStartLength < AE_TITLES_END) return {};
    const start = Buffer.concat(this.rqStart);
    return { calledAeTitle: start.toString('latin1', 4, 20).trim(), callingAeTitle: start.toString('latin1', 20, 36).trim() };
  }

  private abort(reason: RefusalReason, abortReason: number, detail: string): false {
    this.refuse(reason, detail);
    this.sendAndClose(abortPdu(abortReason));
    return false;
  }

  private refuse(reason: RefusalReason, detail: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearArtim();
    this.onRefuse({ peer: peerAddress(this.socket), peerPort: this.socket.remotePort ?? 0, reason, detail, ...this.aeTitles(), bytesRead: this.socket.bytesRead });
  }

  /**
   * Sends the last PDU and stops reading (what the peer still sends stays in the kernel's
   * buffers, so memory does not grow); the socket is destroyed once the peer had time to read it.
   */
  private sendAndClose(pdu: Buffer): void {
    this.socket.pause();
    if (!this.socket.destroyed) this.socket.end(pdu);
    setTimeout(() => this.socket.destroy(), this.limits.lingerMs).unref();
  }
}
