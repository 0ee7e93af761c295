/**
 * P-DATA-TF PDUs written straight to the association's socket (see network-internals.ts, 1):
 * a DIMSE message is its command set, then (optionally) its data set, each cut into PDV
 * fragments that fit the acceptor's maximum PDU length (PS3.8 9.3.5, Annex E). One PDV per PDU.
 *
 * A data set is written block by block (part10-source.ts reads them) with socket back-pressure,
 * so memory stays at about one block however large the file is.
 */
import type { Socket } from 'node:net';

/** PDU header (type, reserved, length: 6 bytes) + PDV item header (length, context ID, control: 6 bytes). */
export const PDATA_HEADER_BYTES = 12;
/** The PDV item header counts in the PDU length that the maximum PDU length limits. */
const PDV_HEADER_BYTES = 6;
/** Used when the acceptor sets no limit (maximum length 0), and as a cap: no need for bigger PDUs. */
const LARGEST_PDU = 1 << 20;
/** How much of a data set is read at once. */
export const READ_BLOCK_BYTES = 4 << 20;

export function fragmentLength(maxPduLength: number): number {
  const max = maxPduLength === 0 ? LARGEST_PDU : Math.min(maxPduLength, LARGEST_PDU);
  if (max <= PDV_HEADER_BYTES + 1) throw new RangeError(`maximum PDU length ${maxPduLength} leaves no room for data`);
  // Even fragments, as other implementations send: nothing requires it, some receivers like it.
  return (max - PDV_HEADER_BYTES) & ~1;
}

/** The 12 bytes in front of one PDV value of `length` bytes. */
export function pdataHeader(contextId: number, length: number, command: boolean, last: boolean): Buffer {
  const b = Buffer.allocUnsafe(PDATA_HEADER_BYTES);
  b.writeUInt8(0x04, 0); // P-DATA-TF
  b.writeUInt8(0x00, 1);
  b.writeUInt32BE(length + PDV_HEADER_BYTES, 2);
  b.writeUInt32BE(length + 2, 6);
  b.writeUInt8(contextId, 10);
  b.writeUInt8((command ? 0x01 : 0x00) | (last ? 0x02 : 0x00), 11);
  return b;
}

export class ConnectionClosedError extends Error {
  constructor() {
    super('the connection closed while sending');
    this.name = 'ConnectionClosedError';
  }
}

/** Thrown when a file ends before the length it had when it was inspected. */
export class FileShrankError extends Error {
  constructor(path: string) {
    super(`file changed while it was sent: ${path} is shorter than when it was read`);
    this.name = 'FileShrankError';
  }
}

export class PDataWriter {
  private readonly fragment: number;

  constructor(
    private readonly socket: Socket,
    maxPduLength: number,
  ) {
    this.fragment = fragmentLength(maxPduLength);
  }

  /** Writes `bytes` as fragments (all corked into one write); the last one is flagged last when `last`. */
  private writeFragments(contextId: number, bytes: Buffer, command: boolean, last: boolean): void {
    if (this.socket.destroyed || this.socket.writableEnded) throw new ConnectionClosedError();
    this.socket.cork();
    try {
      if (bytes.length === 0) this.socket.write(pdataHeader(contextId, 0, command, last));
      for (let i = 0; i < bytes.length; i += this.fragment) {
        const part = bytes.subarray(i, i + this.fragment);
        this.socket.write(pdataHeader(contextId, part.length, command, last && i + part.length >= bytes.length));
        this.socket.write(part);
      }
    } finally {
      this.socket.uncork();
    }
  }

  private drained(): Promise<void> {
    if (!this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        this.socket.off('drain', onDrain);
        this.socket.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(new ConnectionClosedError());
      this.socket.on('drain', onDrain);
      this.socket.on('close', onClose);
      if (this.socket.destroyed) onClose();
    });
  }

  /**
   * One DIMSE message: the command set, then the data set from `source`. Its first bytes are
   * already in memory (so a file that is short from the start sends nothing); the rest, if any,
   * is read block by block as the socket drains. A source that fails mid-message (FileShrankError)
   * leaves a partial message on the wire: the association must then be aborted.
   */
  async writeMessage(contextId: number, commandSet: Buffer, source: DataSetSource): Promise<void> {
    this.writeFragments(contextId, commandSet, true, true);
    let chunk = source.head;
    for (let done = 0; ; ) {
      done += chunk.length;
      const last = done >= source.length;
      this.writeFragments(contextId, chunk, false, last);
      await this.drained();
      if (last) return;
      if (!source.read) throw new RangeError('data set source ends before its length');
      chunk = await source.read(done, Math.min(READ_BLOCK_BYTES, source.length - done));
    }
  }
}

/** A data set to send: its length, its first bytes, and how to read the rest. */
export interface DataSetSource {
  length: number;
  head: Buffer;
  read?: (at: number, n: number) => Promise<Buffer>;
}

export function bufferSource(bytes: Buffer): DataSetSource {
  return { length: bytes.length, head: bytes };
}
