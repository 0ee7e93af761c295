/**
 * A file about to be sent by C-STORE: re-read just before sending, it must still carry the
 * UIDs (and transfer syntax) the library index has for it, and hold all its Pixel Data. Its data
 * set is sent as the bytes that follow the File Meta group, read from here.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import { readDicomHeader } from '../library/header';
import { FileShrankError, READ_BLOCK_BYTES, type DataSetSource } from './pdata';

export interface SendableFile {
  path: string;
  fileSize: number;
  transferSyntaxUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
}

export interface ExpectedInstance {
  sopClassUid: string;
  sopInstanceUid: string;
  /** As indexed; null when the index does not know it. */
  transferSyntaxUid: string | null;
}

export type InspectResult = { ok: true; file: SendableFile } | { ok: false; problem: string };

/** Explicit VR elements whose length field is 32 bits (PS3.5 7.1.2). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const isUpper = (b: number | undefined) => b !== undefined && b >= 0x41 && b <= 0x5a;

/**
 * Offset of the first byte after the File Meta group in `head` (the start of the file), 'more'
 * when `head` ends inside the meta. The meta is walked element by element (explicit VR little
 * endian, as PS3.10 requires) rather than trusting (0002,0000), which some writers leave out.
 */
export function dataSetStart(head: Buffer, fileSize: number): number | 'more' {
  let p: number;
  if (head.length >= 132 && head.toString('latin1', 128, 132) === 'DICM') p = 132;
  else if (head.length >= 4 && head.toString('latin1', 0, 4) === 'DICM') p = 4;
  else if (head.length >= 6 && head[0] === 0x02 && head[1] === 0x00 && isUpper(head[4]) && isUpper(head[5])) p = 0;
  else return 0; // a bare data set: nothing to skip
  for (;;) {
    if (p >= fileSize) return fileSize;
    if (p + 8 > head.length) return 'more';
    if (head.readUInt16LE(p) !== 0x0002) return p;
    const vr = head.toString('latin1', p + 4, p + 6);
    const long = LONG_VRS.has(vr);
    if (long && p + 12 > head.length) return 'more';
    p += long ? 12 + head.readUInt32LE(p + 8) : 8 + head.readUInt16LE(p + 6);
  }
}

/** Re-reads the file's header and checks it against the index. Never throws. */
export function inspectForSending(path: string, expected: ExpectedInstance): InspectResult {
  const r = readDicomHeader(path);
  if (!r.ok) {
    return { ok: false, problem: r.reason === 'unreadable' ? `file unreadable: ${r.message}` : `file no longer readable as DICOM (${r.reason}): ${r.message}` };
  }
  const h = r.header;
  const changed = (what: string, now: string | null, indexed: string) => `file changed since the scan: its ${what} is now ${now ?? 'missing'} (indexed: ${indexed})`;
  if (h.sopInstanceUid !== expected.sopInstanceUid) return { ok: false, problem: changed('SOP Instance UID', h.sopInstanceUid, expected.sopInstanceUid) };
  if (h.sopClassUid !== expected.sopClassUid) return { ok: false, problem: changed('SOP Class UID', h.sopClassUid, expected.sopClassUid) };
  if (expected.transferSyntaxUid !== null && h.transferSyntaxUid !== expected.transferSyntaxUid) {
    return { ok: false, problem: changed('transfer syntax', h.transferSyntaxUid, expected.transferSyntaxUid) };
  }
  if (!h.transferSyntaxUid) return { ok: false, problem: 'file has no transfer syntax' };
  if (r.pixelDataProblem) return { ok: false, problem: `file incomplete: ${r.pixelDataProblem}` };
  return {
    ok: true,
    file: {
      path,
      fileSize: r.fileSize,
      transferSyntaxUid: h.transferSyntaxUid,
      sopClassUid: h.sopClassUid,
      sopInstanceUid: h.sopInstanceUid,
    },
  };
}

const openFd = promisify(fs.open);
const readFd = promisify(fs.read);
const closeFd = promisify(fs.close);

/** Thrown when the File Meta cannot be walked in the first block read (a File Meta over 4 MiB). */
export class MetaTooLongError extends Error {}

/**
 * Opens the file's data set (the bytes after its File Meta group) for sending: one read of the
 * first block, File Meta included (into `reuse` when it is big enough), gives both where the data
 * set starts and its first bytes; close() must be called once the message is sent. Plain fds: a
 * FileHandle costs more per file than the read itself.
 */
export async function openDataSet(file: SendableFile, reuse?: Buffer): Promise<DataSetSource & { close(): Promise<void> }> {
  const fd = await openFd(file.path, 'r');
  const readAt = async (position: number, n: number, into?: Buffer): Promise<Buffer> => {
    const buf = into && into.length >= n ? into.subarray(0, n) : Buffer.allocUnsafe(n);
    for (let got = 0; got < n; ) {
      const { bytesRead } = await readFd(fd, buf, got, n - got, position + got);
      if (bytesRead === 0) throw new FileShrankError(file.path);
      got += bytesRead;
    }
    return buf;
  };
  try {
    const first = await readAt(0, Math.min(file.fileSize, READ_BLOCK_BYTES), reuse);
    const offset = dataSetStart(first, file.fileSize);
    if (offset === 'more') throw new MetaTooLongError(`the File Meta of ${file.path} is longer than ${READ_BLOCK_BYTES} bytes`);
    const length = file.fileSize - offset;
    const head = first.subarray(offset);
    if (head.length >= length) {
      await closeFd(fd);
      return { length, head, close: async () => {} };
    }
    return { length, head, read: (at, n) => readAt(offset + at, n), close: () => closeFd(fd) };
  } catch (e) {
    await closeFd(fd).catch(() => {});
    throw e;
  }
}

/** The whole data set, for re-encoding. */
export async function readDataSet(file: SendableFile): Promise<Buffer> {
  const whole = await fs.promises.readFile(file.path);
  const offset = dataSetStart(whole, whole.length);
  if (offset === 'more') throw new MetaTooLongError(`the File Meta of ${file.path} runs past the end of the file`);
  return whole.subarray(offset);
}
