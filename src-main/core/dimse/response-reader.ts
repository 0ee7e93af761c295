/**
 * Reads the archive's C-STORE responses off the socket while a C-STORE run owns the association.
 *
 * dcmjs-dimse parses every incoming command set with dcmjs (dictionary look-ups per element):
 * for C-STORE that was the largest part of the sender's CPU time per instance, on the path between
 * one response and the next request. So for the length of the run this reader takes the socket's
 * 'data' listeners aside and splits the byte stream into PDUs itself: P-DATA-TF PDUs (the
 * responses) are read here; every other PDU (A-ABORT, A-RELEASE-RQ/RP) is handed, byte for byte,
 * to the library's listener, so requestor.ts learns of aborts exactly as before. restore() puts
 * the library back before the association is released.
 */
import type { Socket } from 'node:net';

const P_DATA_TF = 0x04;
const NO_DATA_SET = 0x0101;

/** The command set elements a requestor needs from a response (PS3.7 9.3, 10.3). */
export interface ResponseCommand {
  contextId: number;
  commandField: number;
  messageIdBeingRespondedTo: number | undefined;
  status: number | undefined;
  errorComment: string | undefined;
  hasDataSet: boolean;
}

/** Parses an Implicit VR Little Endian command set (group 0000 only). Throws on a malformed one. */
export function parseCommandSet(bytes: Buffer, contextId: number): ResponseCommand {
  const out: ResponseCommand = { contextId, commandField: -1, messageIdBeingRespondedTo: undefined, status: undefined, errorComment: undefined, hasDataSet: false };
  let dataSetType = NO_DATA_SET;
  for (let p = 0; p < bytes.length; ) {
    if (p + 8 > bytes.length) throw new Error('command set ends inside an element header');
    const group = bytes.readUInt16LE(p);
    const elem = bytes.readUInt16LE(p + 2);
    const len = bytes.readUInt32LE(p + 4);
    const v = p + 8;
    if (group !== 0x0000 || v + len > bytes.length) throw new Error(`malformed command set element (${group.toString(16)},${elem.toString(16)})`);
    const u16 = () => (len >= 2 ? bytes.readUInt16LE(v) : undefined);
    if (elem === 0x0100) out.commandField = u16() ?? -1;
    else if (elem === 0x0120) out.messageIdBeingRespondedTo = u16();
    else if (elem === 0x0900) out.status = u16();
    else if (elem === 0x0800) dataSetType = u16() ?? NO_DATA_SET;
    else if (elem === 0x0902) out.errorComment = bytes.toString('latin1', v, v + len).replace(/[\0 ]+$/, '');
    p = v + len;
  }
  out.hasDataSet = dataSetType !== NO_DATA_SET;
  return out;
}

type DataListener = (chunk: Buffer) => void;

export class ResponseReader {
  private saved: DataListener[] = [];
  private buffered: Buffer[] = [];
  private bufferedLength = 0;
  private command: Buffer[] = [];
  /** Data set PDVs that follow a command (not expected after a C-STORE-RSP) are skipped until the last one. */
  private skippingDataSet = false;
  private readonly onData: DataListener = (chunk) => this.take(chunk);
  private installed = false;

  constructor(
    private readonly socket: Socket,
    private readonly onCommand: (command: ResponseCommand) => void,
    private readonly onProtocolError: (message: string) => void,
  ) {}

  install(): void {
    if (this.installed) return;
    this.saved = this.socket.listeners('data') as DataListener[];
    for (const l of this.saved) this.socket.off('data', l);
    this.socket.on('data', this.onData);
    this.installed = true;
  }

  /** Gives the socket back to the library, with any bytes not yet made into a whole PDU. */
  restore(): void {
    if (!this.installed) return;
    this.installed = false;
    this.socket.off('data', this.onData);
    for (const l of this.saved) this.socket.on('data', l);
    const rest = this.bufferedLength > 0 ? Buffer.concat(this.buffered, this.bufferedLength) : undefined;
    this.buffered = [];
    this.bufferedLength = 0;
    if (rest) this.toLibrary(rest);
  }

  private toLibrary(bytes: Buffer): void {
    for (const l of this.saved) l.call(this.socket, bytes);
  }

  private take(chunk: Buffer): void {
    this.buffered.push(chunk);
    this.bufferedLength += chunk.length;
    while (this.installed && this.bufferedLength >= 6) {
      const head = this.buffered[0]!.length >= 6 ? this.buffered[0]! : Buffer.concat(this.buffered, this.bufferedLength);
      const total = 6 + head.readUInt32BE(2);
      if (this.bufferedLength < total) return;
      const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered, this.bufferedLength);
      const pdu = all.subarray(0, total);
      const rest = all.subarray(total);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.bufferedLength = rest.length;
      if (pdu[0] === P_DATA_TF) this.readPData(pdu);
      else this.toLibrary(pdu);
    }
  }

  private readPData(pdu: Buffer): void {
    for (let p = 6; p < pdu.length; ) {
      if (p + 6 > pdu.length) return this.onProtocolError('P-DATA-TF ends inside a PDV item header');
      const itemLength = pdu.readUInt32BE(p);
      const end = p + 4 + itemLength;
      if (itemLength < 2 || end > pdu.length) return this.onProtocolError(`P-DATA-TF has a PDV item of invalid length ${itemLength}`);
      const contextId = pdu[p + 4]!;
      const control = pdu[p + 5]!;
      const value = pdu.subarray(p + 6, end);
      p = end;
      const isCommand = (control & 0x01) !== 0;
      const last = (control & 0x02) !== 0;
      if (!isCommand) {
        if (!this.skippingDataSet) return this.onProtocolError('a data set fragment arrived where a command was expected');
        if (last) this.skippingDataSet = false;
        continue;
      }
      this.command.push(value);
      if (!last) continue;
      const bytes = Buffer.concat(this.command);
      this.command = [];
      let parsed: ResponseCommand;
      try {
        parsed = parseCommandSet(bytes, contextId);
      } catch (e) {
        return this.onProtocolError((e as Error).message);
      }
      this.skippingDataSet = parsed.hasDataSet;
      this.onCommand(parsed);
    }
  }
}
