/** Shared bits of the DIMSE tests (not a test file itself). */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DimseListener, type ListenerHandlers } from '../../../src-main/core/dimse/listener';
import { setDimseLibraryLogLevel } from '../../../src-main/core/dimse/lib';
import type { InstanceRef } from '../../../src-main/core/dimse/types';
import { randomUid, writeDicomFile } from '../../support/dicom-writer';

// dcmjs-dimse logs every PDU by default; the listener/scu loggers below tell the story instead.
setDimseLibraryLogLevel(process.env.SAFEKEEP_DIMSE_LIB_LOG === '1' ? 'info' : 'silent');

export const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
export const LOOPBACK = '127.0.0.1';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a value other than undefined, or throws after timeoutMs. */
export async function pollUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** A deferred value settled from a handler. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'safekeep-dimse-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes `count` Secondary Capture instances of one new study/series; returns files and refs. */
export function writeInstances(dir: string, count: number): { files: string[]; refs: InstanceRef[] } {
  const studyUid = randomUid();
  const seriesUid = randomUid();
  const files: string[] = [];
  const refs: InstanceRef[] = [];
  for (let n = 0; n < count; n++) {
    const ref = { sopClassUid: SECONDARY_CAPTURE, sopInstanceUid: randomUid() };
    const file = path.join(dir, `instance-${n + 1}.dcm`);
    writeDicomFile(file, { ...ref, studyUid, seriesUid, instanceNumber: n + 1, modality: 'OT' });
    files.push(file);
    refs.push(ref);
  }
  return { files, refs };
}

export function unknownInstances(count: number): InstanceRef[] {
  return Array.from({ length: count }, () => ({ sopClassUid: SECONDARY_CAPTURE, sopInstanceUid: randomUid() }));
}

/** A started DimseListener plus the lines it logged. */
export async function startListener(
  aeTitle: string,
  handlers: Partial<ListenerHandlers>,
): Promise<{ listener: DimseListener; port: number; logs: string[] }> {
  const logs: string[] = [];
  const full: ListenerHandlers = {
    admit: () => null,
    onNAction: async () => 0x0110,
    onEventReport: async () => 0x0000,
    ...handlers,
  };
  const listener = new DimseListener({ aeTitle, host: LOOPBACK, port: 0, handlers: full, logger: (m) => logs.push(m) });
  const { port } = await listener.start();
  return { listener, port, logs };
}

export { randomUid };
