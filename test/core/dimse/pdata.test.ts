import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeCStoreRq } from '../../../src-main/core/dimse/command-set';
import { dataSetStart, inspectForSending, openDataSet } from '../../../src-main/core/dimse/part10-source';
import { bufferSource, PDataWriter } from '../../../src-main/core/dimse/pdata';
import { parseCommandSet, ResponseReader, type ResponseCommand } from '../../../src-main/core/dimse/response-reader';
import { encodeDicom, randomUid } from '../../support/dicom-writer';
import { CT_IMAGE, tempDir } from '../../support/fixtures';

interface Pdv {
  pduLength: number;
  contextId: number;
  command: boolean;
  last: boolean;
  value: Buffer;
}

/** Splits a byte stream of P-DATA-TF PDUs (one PDV each, as PDataWriter writes them). */
function pdvs(stream: Buffer): Pdv[] {
  const out: Pdv[] = [];
  for (let p = 0; p < stream.length; ) {
    expect(stream[p]).toBe(0x04);
    const pduLength = stream.readUInt32BE(p + 2);
    const itemLength = stream.readUInt32BE(p + 6);
    expect(itemLength + 4).toBe(pduLength);
    const control = stream[p + 11]!;
    out.push({ pduLength, contextId: stream[p + 10]!, command: (control & 1) === 1, last: (control & 2) === 2, value: stream.subarray(p + 12, p + 6 + pduLength) });
    p += 6 + pduLength;
  }
  return out;
}

describe('PDataWriter', () => {
  let server: net.Server;
  let received: Promise<Buffer>;
  let client: net.Socket;

  beforeAll(async () => {
    received = new Promise((resolve) => {
      server = net.createServer((s) => {
        const chunks: Buffer[] = [];
        s.on('data', (c) => chunks.push(c));
        s.on('end', () => resolve(Buffer.concat(chunks)));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
  });
  afterAll(() => {
    client.destroy();
    server.close();
  });

  test('fragments command and data set within the maximum PDU length, last flags on the last fragment of each', async () => {
    const writer = new PDataWriter(client, 4096);
    const command = encodeCStoreRq({ messageId: 7, sopClassUid: CT_IMAGE, sopInstanceUid: '1.2.3.4.5' });
    const dataSet = randomBytes(10_000);
    await writer.writeMessage(3, command, bufferSource(dataSet));
    // A data set that arrives in blocks (as files over 4 MiB do) comes out the same.
    await writer.writeMessage(5, command, { length: dataSet.length, head: dataSet.subarray(0, 5000), read: async (at, n) => dataSet.subarray(at, at + n) });
    client.end();
    const all = pdvs(await received);
    expect(all.every((p) => p.pduLength <= 4096)).toBe(true);
    for (const contextId of [3, 5]) {
      const mine = all.filter((p) => p.contextId === contextId);
      const cmd = mine.filter((p) => p.command);
      const data = mine.filter((p) => !p.command);
      expect(cmd.map((p) => p.last)).toEqual([true]);
      expect(Buffer.concat(cmd.map((p) => p.value))).toEqual(command);
      expect(data.map((p) => p.last)).toEqual([...data.slice(1).map(() => false), true]);
      expect(Buffer.concat(data.map((p) => p.value))).toEqual(dataSet);
    }
  });
});

describe('C-STORE command sets', () => {
  test('encodeCStoreRq writes what a receiver reads back: group length, fields, padded UIDs', () => {
    const bytes = encodeCStoreRq({ messageId: 513, sopClassUid: CT_IMAGE, sopInstanceUid: '1.2.345' });
    expect(bytes.readUInt32LE(8)).toBe(bytes.length - 12); // (0000,0000) covers the rest
    const c = parseCommandSet(bytes, 1);
    expect(c.commandField).toBe(0x0001);
    expect(c.hasDataSet).toBe(true);
    expect(bytes.includes(Buffer.from('1.2.345\0'))).toBe(true);
    expect(bytes.includes(Buffer.from([0, 0, 0x10, 0x01, 2, 0, 0, 0, 0x01, 0x02]))).toBe(true); // (0000,0110) Message ID 513
  });
});

/** A C-STORE-RSP command set, Implicit VR LE, as an SCP sends it. */
function storeResponse(messageId: number, status: number, comment?: string): Buffer {
  const el = (elem: number, value: Buffer) => {
    const h = Buffer.alloc(8);
    h.writeUInt16LE(elem, 2);
    h.writeUInt32LE(value.length, 4);
    return Buffer.concat([h, value]);
  };
  const us = (v: number) => Buffer.from([v & 0xff, v >> 8]);
  return Buffer.concat([
    el(0x0100, us(0x8001)),
    el(0x0120, us(messageId)),
    el(0x0800, us(0x0101)),
    el(0x0900, us(status)),
    ...(comment ? [el(0x0902, Buffer.from(comment.length % 2 ? `${comment} ` : comment))] : []),
  ]);
}

function pdu(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(6);
  h[0] = type;
  h.writeUInt32BE(body.length, 2);
  return Buffer.concat([h, body]);
}

function commandPdu(contextId: number, command: Buffer): Buffer {
  const item = Buffer.alloc(6);
  item.writeUInt32BE(command.length + 2, 0);
  item[4] = contextId;
  item[5] = 0x03;
  return pdu(0x04, Buffer.concat([item, command]));
}

describe('ResponseReader', () => {
  test('reads responses split anywhere across chunks and hands every other PDU to the library, byte for byte', () => {
    const socket = new net.Socket();
    const toLibrary: Buffer[] = [];
    socket.on('data', (c: Buffer) => toLibrary.push(c));
    const got: ResponseCommand[] = [];
    const errors: string[] = [];
    const reader = new ResponseReader(socket, (c) => got.push(c), (e) => errors.push(e));
    reader.install();
    const abort = pdu(0x07, Buffer.from([0, 0, 2, 0]));
    const stream = Buffer.concat([commandPdu(1, storeResponse(1, 0x0000)), commandPdu(3, storeResponse(2, 0xa700, 'storage full')), abort]);
    for (let i = 0; i < stream.length; i += 5) socket.emit('data', stream.subarray(i, i + 5));
    expect(errors).toEqual([]);
    expect(got).toEqual([
      { contextId: 1, commandField: 0x8001, messageIdBeingRespondedTo: 1, status: 0, errorComment: undefined, hasDataSet: false },
      { contextId: 3, commandField: 0x8001, messageIdBeingRespondedTo: 2, status: 0xa700, errorComment: 'storage full', hasDataSet: false },
    ]);
    expect(Buffer.concat(toLibrary)).toEqual(abort);
    // Restored: the library gets the raw bytes again, including a PDU that was half read.
    const release = pdu(0x06, Buffer.alloc(4));
    socket.emit('data', release.subarray(0, 3));
    reader.restore();
    socket.emit('data', release.subarray(3));
    expect(Buffer.concat(toLibrary.slice(1))).toEqual(release);
    expect(got).toHaveLength(2);
    socket.destroy();
  });
});

describe('the data set of a Part 10 file', () => {
  const dir = tempDir('safekeep-part10-');
  const uids = { sopClassUid: CT_IMAGE, sopInstanceUid: randomUid(), studyUid: randomUid(), seriesUid: randomUid() };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('starts after the File Meta, with or without preamble; a bare data set starts at 0', () => {
    const full = encodeDicom({ ...uids, pixelBytes: 1000 });
    const start = dataSetStart(full, full.length) as number;
    expect(full.readUInt16LE(start)).toBe(0x0008);
    expect(dataSetStart(full.subarray(128), full.length - 128)).toBe(start - 128);
    expect(dataSetStart(full.subarray(start), full.length - start)).toBe(0);
    expect(dataSetStart(full.subarray(0, 150), full.length)).toBe('more');
  });

  test('is read as the file holds it, after checking the file against the index', async () => {
    const file = path.join(dir, 'a.dcm');
    const bytes = encodeDicom({ ...uids, pixelBytes: 5000 });
    fs.writeFileSync(file, bytes);
    const r = inspectForSending(file, { ...uids, transferSyntaxUid: '1.2.840.10008.1.2.1' });
    if (!r.ok) throw new Error(r.problem);
    const source = await openDataSet(r.file);
    await source.close();
    expect(source.head).toEqual(bytes.subarray(dataSetStart(bytes, bytes.length) as number));
    expect(inspectForSending(file, { ...uids, sopInstanceUid: '1.2.3', transferSyntaxUid: null })).toEqual({
      ok: false,
      problem: `file changed since the scan: its SOP Instance UID is now ${uids.sopInstanceUid} (indexed: 1.2.3)`,
    });
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 100));
    expect(inspectForSending(file, { ...uids, transferSyntaxUid: null })).toMatchObject({ ok: false, problem: expect.stringMatching(/^file incomplete: Pixel Data truncated/) });
  });
});
