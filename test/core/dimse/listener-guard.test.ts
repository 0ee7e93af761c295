/**
 * The DICOM listener under attack, on real sockets: PDUs longer than Safekeep accepts are aborted
 * before their body is read, a connection that does not negotiate is closed by ARTIM, the
 * association past the cap is rejected, and dcmtk's echoscu keeps working meanwhile.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { configureLog } from '../../../src-main/core/log';
import { requests } from '../../../src-main/core/dimse/lib';
import { DimseListener } from '../../../src-main/core/dimse/listener';
import type { ConnectionRefusal, ListenerLimits } from '../../../src-main/core/dimse/pdu-guard';
import { RequestorAssociation } from '../../../src-main/core/dimse/requestor';
import { DimseError, VERIFICATION_SOP_CLASS, type AeAddress } from '../../../src-main/core/dimse/types';
import { LOOPBACK, pollUntil, sleep } from './dimse-fixtures';

// After dimse-fixtures (which silences the library): the listener's refusals are warnings, written here.
const LOG_FILE = path.join(os.tmpdir(), `safekeep-listener-guard-${process.pid}.log`);
configureLog({ level: 'warn', file: LOG_FILE });

const A_ABORT_INVALID_PARAMETER = [0x07, 0, 0, 0, 0, 4, 0, 0, 2, 6];
const MiB = 1024 * 1024;

const listeners: DimseListener[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const l of listeners.splice(0)) await l.stop();
});

async function start(limits: Partial<ListenerLimits> = {}): Promise<{ address: AeAddress; refusals: ConnectionRefusal[] }> {
  const refusals: ConnectionRefusal[] = [];
  const listener = new DimseListener({
    aeTitle: 'SAFEKEEP',
    host: LOOPBACK,
    port: 0,
    limits,
    onRefused: (r) => refusals.push(r),
    handlers: { admit: () => null, onNAction: async () => 0x0110, onEventReport: async () => 0x0000 },
  });
  listeners.push(listener);
  const { port } = await listener.start();
  return { address: { aeTitle: 'SAFEKEEP', host: LOOPBACK, port }, refusals };
}

/** A raw TCP connection that records what it receives and when the server closed it. */
async function connect(address: AeAddress): Promise<{ socket: net.Socket; received: () => Buffer; closed: Promise<void> }> {
  const socket = net.connect({ host: address.host, port: address.port });
  sockets.push(socket);
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => Buffer.concat(chunks), closed };
}

/** Writes `header`, then streams zeros (respecting back-pressure) until `total` bytes went out or the connection closed. */
async function announceAndStream(socket: net.Socket, header: Buffer, total: number): Promise<number> {
  socket.write(header);
  const chunk = Buffer.alloc(64 * 1024);
  let sent = 0;
  let open = true;
  socket.once('close', () => (open = false));
  while (open && sent < total) {
    sent += chunk.length;
    if (!socket.write(chunk)) {
      await new Promise<void>((resolve) => {
        socket.once('drain', resolve);
        socket.once('close', resolve);
      });
    }
  }
  return sent;
}

function pduHeader(type: number, length: number): Buffer {
  const h = Buffer.alloc(6);
  h[0] = type;
  h.writeUInt32BE(length, 2);
  return h;
}

function openAssociation(address: AeAddress, callingAeTitle = 'MODALITY'): Promise<RequestorAssociation> {
  return RequestorAssociation.open({ callingAeTitle, called: address, contexts: [{ abstractSyntax: VERIFICATION_SOP_CLASS }], timeoutMs: 10_000 });
}

describe('PDU length limits', () => {
  test('an A-ASSOCIATE-RQ announcing 4 GiB is aborted at once, without reading what follows', async () => {
    const { address, refusals } = await start({ lingerMs: 200 });
    const attacker = await connect(address);
    await announceAndStream(attacker.socket, pduHeader(0x01, 0xffffffff), 64 * MiB);
    await attacker.closed;

    expect([...attacker.received().subarray(0, 10)]).toEqual(A_ABORT_INVALID_PARAMETER);
    expect(refusals).toHaveLength(1);
    const r = refusals[0]!;
    expect(r.reason).toBe('pdu-too-long');
    expect(r.detail).toContain('A-ASSOCIATE-RQ of 4294967295 bytes');
    expect(r.peer).toBe(LOOPBACK);
    // The server stopped reading at the header: what the attacker pushed afterwards was never read.
    expect(r.bytesRead).toBeLessThan(MiB);
    expect(readFileSync(LOG_FILE, 'utf8')).toMatch(/DICOM connection from 127\.0\.0\.1:\d+ refused \(pdu-too-long\)/);
  });

  test('Safekeep offers its maximum PDU length and aborts a longer P-DATA-TF on an accepted association', async () => {
    const { address, refusals } = await start({ maxPduLength: 16_384, lingerMs: 200 });
    const a = await openAssociation(address);
    expect(a.acceptedAssociation.getMaxPduLength()).toBe(16_384);
    const ended = new Promise<DimseError | undefined>((resolve) => a.onEnd(resolve));

    await announceAndStream(a.network.socket, pduHeader(0x04, 16_385), 8 * MiB);
    const err = await ended;

    expect(err?.kind).toBe('aborted');
    expect(err?.message).toContain('invalid PDU parameter');
    expect(refusals.map((r) => [r.reason, r.callingAeTitle, r.calledAeTitle])).toEqual([['pdu-too-long', 'MODALITY', 'SAFEKEEP']]);
    expect(refusals[0]!.detail).toContain('the maximum PDU length offered is 16384');
    expect(refusals[0]!.bytesRead).toBeLessThan(MiB);
  });

  test('an unknown PDU type is aborted', async () => {
    const { address, refusals } = await start({ lingerMs: 200 });
    const peer = await connect(address);
    peer.socket.write(pduHeader(0x09, 4));
    await peer.closed;
    expect([...peer.received().subarray(0, 10)]).toEqual([0x07, 0, 0, 0, 0, 4, 0, 0, 2, 1]);
    expect(refusals.map((r) => r.reason)).toEqual(['unknown-pdu']);
  });
});

describe('ARTIM', () => {
  test('a half-sent A-ASSOCIATE-RQ and a silent connection are closed once ARTIM expires; a negotiated association stays', async () => {
    const { address, refusals } = await start({ artimMs: 400 });
    const negotiated = await openAssociation(address);
    const half = await connect(address);
    half.socket.write(Buffer.concat([pduHeader(0x01, 200), Buffer.alloc(10)]));
    const silent = await connect(address);

    await Promise.all([half.closed, silent.closed]);
    expect(refusals.map((r) => r.reason)).toEqual(['artim-expired', 'artim-expired']);
    expect(refusals[0]!.detail).toBe('association not negotiated within 400 ms (ARTIM)');
    expect(half.received().length).toBe(0);

    // The association negotiated before is not subject to ARTIM.
    await sleep(500);
    const rsp = await negotiated.request(new requests.CEchoRequest(), VERIFICATION_SOP_CLASS, 5_000);
    expect(rsp.getStatus()).toBe(0x0000);
    await negotiated.release(2_000);
  });
});

describe('concurrent associations', () => {
  test('the association past the cap is rejected (transient, local limit exceeded), and a freed slot is used again', async () => {
    const { address, refusals } = await start({ maxAssociations: 2 });
    const first = await openAssociation(address);
    const second = await openAssociation(address);

    const err = await openAssociation(address, 'LATECOMER').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DimseError);
    expect((err as DimseError).kind).toBe('rejected');
    expect((err as DimseError).message).toBe('association rejected by SAFEKEEP (local limit exceeded, transient)');
    expect((err as DimseError).permanent).toBe(false);
    expect(refusals.map((r) => [r.reason, r.callingAeTitle, r.calledAeTitle])).toEqual([['too-many-associations', 'LATECOMER', 'SAFEKEEP']]);

    await first.release(2_000);
    const again = await pollUntil('a free association slot', 10_000, () => openAssociation(address).catch(() => undefined));
    expect(again.isOpen).toBe(true);
    await again.release(2_000);
    await second.release(2_000);
  });
});

function echoscu(address: AeAddress): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('echoscu', ['-aet', 'MODALITY', '-aec', address.aeTitle, '-to', '20', address.host, String(address.port)], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('under attack', () => {
  test("dcmtk's echoscu keeps working while connections announce 4 GiB PDUs and others hold half A-ASSOCIATE-RQs", async () => {
    const { address, refusals } = await start();
    let attacking = true;
    const attackLoop = (async () => {
      while (attacking) {
        const c = await connect(address);
        await announceAndStream(c.socket, pduHeader(0x01, 0xffffffff), 16 * MiB);
        await c.closed;
      }
    })();
    for (let i = 0; i < 10; i++) (await connect(address)).socket.write(pduHeader(0x01, 300));

    const results = [];
    for (let i = 0; i < 3; i++) results.push(await echoscu(address));
    attacking = false;
    await attackLoop;

    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(refusals.filter((r) => r.reason === 'pdu-too-long').length).toBeGreaterThan(0);
    expect(refusals.every((r) => r.bytesRead < MiB)).toBe(true);
  });
});
