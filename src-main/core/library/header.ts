/**
 * Reads the header of a DICOM file (everything before Pixel Data) for the
 * library index, touching as few bytes as possible: the first few KB are read
 * and parsed with dicom-parser up to (7FE0,0010); the read only grows when the
 * header turns out to be longer. Never throws for bad files: every problem is
 * reported as a SkipReason, except truncated Pixel Data, which is reported beside
 * the header (the instance is indexed, with a flag).
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import dicomParser, { type DataSet, type ParseDicomOptions } from 'dicom-parser';
import type { InstanceHeader, SkipReason } from '../../../src-shared/library';
import { describeUidProblem, uidProblem } from '../../../src-shared/dicom/uid';

export interface HeaderReadOk {
  ok: true;
  header: InstanceHeader;
  bytesRead: number;
  fileSize: number;
  /**
   * Byte offset where Pixel Data (7FE0,0010) value starts, or null if no pixel data.
   * Also null for deflated files, whose pixel data offset is inside the compressed stream
   * (those are read and inflated whole, so their Pixel Data is checked while parsing).
   */
  pixelDataOffset: number | null;
  /** Declared length of Pixel Data, null if undefined length (encapsulated) or no pixel data. */
  pixelDataLength: number | null;
  /** Why the Pixel Data is not all in the file (see pixelDataProblem), or null when it is (or there is none). */
  pixelDataProblem: string | null;
}
export interface HeaderReadFailed {
  ok: false;
  reason: SkipReason;
  message: string;
  bytesRead: number;
  fileSize: number;
}
export type HeaderReadResult = HeaderReadOk | HeaderReadFailed;

const PIXEL_DATA = 'x7fe00010';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const DEFLATED_LE = '1.2.840.10008.1.2.1.99';
const DEFAULT_INITIAL_BYTES = 8192;
/** Enough to see a preamble + 'DICM' and decide the file layout. */
const MIN_INITIAL_BYTES = 132;

/**
 * How the file starts. dicom-parser only understands "128-byte preamble + DICM + meta"
 * or (with the TransferSyntaxUID option) a raw data set at offset 0, so the other Part 10
 * variants get a synthetic prefix; `shift` converts parse offsets back to file offsets.
 */
interface Layout {
  prefix: Buffer | null;
  shift: number;
  /** Transfer syntaxes to try for a raw data set (no File Meta), in order; [] for Part 10. */
  rawCandidates: string[];
}

type Attempt =
  | { kind: 'ok'; ds: DataSet; ts: string | null }
  | { kind: 'more'; whole?: boolean } // header not complete in what was read: read more (or everything)
  | { kind: 'bad'; reason: SkipReason; message: string };

const isUpper = (b: number | undefined) => b !== undefined && b >= 0x41 && b <= 0x5a;

function detectLayout(b: Buffer): Layout | null {
  if (b.length >= 132 && b.toString('latin1', 128, 132) === 'DICM') return { prefix: null, shift: 0, rawCandidates: [] };
  if (b.length >= 4 && b.toString('latin1', 0, 4) === 'DICM') return { prefix: Buffer.alloc(128), shift: 128, rawCandidates: [] };
  // File Meta group (0002,xxxx) in explicit VR LE, with neither preamble nor DICM.
  if (b[0] === 0x02 && b[1] === 0x00 && isUpper(b[4]) && isUpper(b[5])) {
    return { prefix: Buffer.concat([Buffer.alloc(128), Buffer.from('DICM')]), shift: 132, rawCandidates: [] };
  }
  // Raw data set starting with group 0008 (little endian: 08 00, big endian: 00 08).
  if (b.length >= 8 && b[0] === 0x08 && b[1] === 0x00) {
    // Try implicit VR first unless bytes 4-5 already look like a VR: an implicit 32-bit length whose
    // low bytes are two capital letters would be >16 KB, implausible for a group 0008 element.
    const explicitFirst = isUpper(b[4]) && isUpper(b[5]);
    return { prefix: null, shift: 0, rawCandidates: explicitFirst ? [EXPLICIT_LE, IMPLICIT_LE] : [IMPLICIT_LE, EXPLICIT_LE] };
  }
  if (b.length >= 8 && b[0] === 0x00 && b[1] === 0x08 && isUpper(b[4]) && isUpper(b[5])) {
    return { prefix: null, shift: 0, rawCandidates: [EXPLICIT_BE] };
  }
  return null;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && 'exception' in e) return errorText((e as { exception: unknown }).exception);
  return String(e);
}

/** True when a top-level element with a defined length ends after `limit` (parse coordinates). */
function overruns(ds: DataSet | undefined, limit: number): boolean {
  if (!ds) return false;
  for (const [tag, el] of Object.entries(ds.elements)) {
    if (tag === PIXEL_DATA || el.hadUndefinedLength || el.dataOffset === undefined) continue;
    if (el.dataOffset + el.length > limit) return true;
  }
  return false;
}

/** DICOM requires ascending tags; garbage from a wrong transfer-syntax guess almost never is. */
function ascending(ds: DataSet): boolean {
  let prev = '';
  for (const tag of Object.keys(ds.elements)) {
    if (tag.startsWith('x0002')) continue; // synthetic meta element added by dicom-parser
    if (tag < prev) return false;
    prev = tag;
  }
  return true;
}

/** True when the File Meta, per its group length (0002,0000), is not all inside `buf`. */
function metaIncomplete(buf: Buffer): boolean {
  if (buf.length < 144) return true;
  if (buf.readUInt32LE(132) !== 0x00000002 || buf.toString('latin1', 136, 138) !== 'UL') return false;
  return 144 + buf.readUInt32LE(140) > buf.length;
}

/**
 * A header that cannot be parsed to its end. Usually the file is cut short; but when the data set
 * is not encoded as its File Meta says (explicit vs implicit VR, a known writer bug), say so instead.
 */
function badHeader(buf: Buffer, fileSize: number, rawTs: string | undefined, detail?: string): Attempt {
  const mismatch = rawTs ? null : vrMismatch(buf);
  if (mismatch) return { kind: 'bad', reason: 'unsupported', message: mismatch };
  const message = `The header is cut short or malformed (file is ${fileSize} bytes)${detail ? `: ${detail}` : ''}`;
  return { kind: 'bad', reason: 'truncated', message };
}

function vrMismatch(buf: Buffer): string | null {
  try {
    const meta = dicomParser.readPart10Header(buf) as DataSet & { position: number };
    const ts = (meta.string('x00020010') ?? '').replace(/\0+$/, '');
    if (ts === DEFLATED_LE || meta.position + 6 > buf.length) return null;
    const looksExplicit = isUpper(buf[meta.position + 4]) && isUpper(buf[meta.position + 5]);
    if (looksExplicit === (ts !== IMPLICIT_LE)) return null;
    return `Transfer Syntax ${ts} says ${looksExplicit ? 'implicit' : 'explicit'} VR but the data set is encoded in ${looksExplicit ? 'explicit' : 'implicit'} VR`;
  } catch {
    return null;
  }
}

/** One parse of what has been read so far; `whole` means it is the entire file. */
function attempt(data: Buffer, whole: boolean, fileSize: number, layout: Layout, rawTs: string | undefined): Attempt {
  const buf = layout.prefix ? Buffer.concat([layout.prefix, data]) : data;
  const limit = fileSize + layout.shift; // end of file in parse coordinates
  let needWhole = false;
  const options = {
    untilTag: PIXEL_DATA,
    ...(rawTs ? { TransferSyntaxUID: rawTs } : {}),
    // Deflate streams cannot be parsed in part: ask for the whole file instead of growing step by step.
    inflater: (arr: Uint8Array, pos: number): Uint8Array => {
      if (!whole) {
        needWhole = true;
        throw new Error('deflated data set needs the whole file');
      }
      const inflated = zlib.inflateRawSync(arr.subarray(pos));
      return Buffer.concat([arr.subarray(0, pos), inflated]); // keep meta offsets valid
    },
  } as unknown as ParseDicomOptions; // the typings declare inflater as returning void

  let ds: DataSet;
  try {
    ds = dicomParser.parseDicom(buf, options);
  } catch (e) {
    if (needWhole) return { kind: 'more', whole: true };
    const text = errorText(e);
    if (text.includes('missing required meta header attribute 0002,0010')) {
      // Either the read (or the file) ends inside the File Meta, or the meta really lacks the TS.
      if (metaIncomplete(buf)) return whole ? badHeader(buf, fileSize, rawTs) : { kind: 'more' };
      return { kind: 'bad', reason: 'unsupported', message: 'File Meta Information has no Transfer Syntax UID (0002,0010)' };
    }
    const partial = (e as { dataSet?: DataSet }).dataSet;
    if (!whole && !overruns(partial, limit)) return { kind: 'more' };
    return badHeader(buf, fileSize, rawTs, text);
  }
  const ts = rawTs ?? (ds.string('x00020010') ?? '').replace(/\0+$/, '');
  if (rawTs && !ascending(ds)) return { kind: 'bad', reason: 'not-dicom', message: `Not a data set in ${rawTs}` };
  if (ds.elements[PIXEL_DATA]) return { kind: 'ok', ds, ts: ts || null };
  // No Pixel Data: either there is none (then the whole file must have been parsed cleanly),
  // or dicom-parser stopped silently at the end of the buffer (implicit VR does not throw).
  const eofWarning = ds.warnings.some((w) => w.includes('eof encountered'));
  if (!whole) return overruns(ds, limit) ? badHeader(buf, fileSize, rawTs) : { kind: 'more' };
  if (eofWarning || overruns(ds, buf.length)) return badHeader(buf, fileSize, rawTs);
  return { kind: 'ok', ds, ts: ts || null };
}

/** Reads bytes [data.length, want) and returns the grown buffer (already-read bytes are kept). */
function readMore(fd: number, data: Buffer, want: number): { data: Buffer; n: number } {
  const out = Buffer.allocUnsafe(want);
  data.copy(out, 0);
  let pos = data.length;
  while (pos < want) {
    const n = fs.readSync(fd, out, pos, want - pos, pos);
    if (n === 0) break; // file shrank while we read it
    pos += n;
  }
  return { data: pos === want ? out : out.subarray(0, pos), n: pos - data.length };
}

export function readDicomHeader(path: string, options: { initialBytes?: number } = {}): HeaderReadResult {
  let fd: number | null = null;
  let fileSize = 0;
  let bytesRead = 0;
  const fail = (reason: SkipReason, message: string): HeaderReadFailed => ({ ok: false, reason, message, bytesRead, fileSize });
  try {
    fd = fs.openSync(path, 'r');
    fileSize = fs.fstatSync(fd).size;
    let want = Math.min(fileSize, Math.max(MIN_INITIAL_BYTES, options.initialBytes ?? DEFAULT_INITIAL_BYTES));
    let data: Buffer = Buffer.alloc(0);
    let layout: Layout | null = null;
    for (;;) {
      const r = readMore(fd, data, want);
      data = r.data;
      bytesRead += r.n;
      const whole = data.length >= fileSize || data.length < want;
      if (!layout) {
        layout = detectLayout(data);
        if (!layout) return fail('not-dicom', fileSize === 0 ? 'Empty file' : 'No DICOM Part 10 signature and not a recognisable data set');
      }
      // Part 10: one parse. Raw data set: first candidate that parses wins.
      let outcome: Attempt | null = null;
      let more: Attempt | null = null;
      for (const ts of layout.rawCandidates.length ? layout.rawCandidates : [undefined]) {
        const a = attempt(data, whole, fileSize, layout, ts);
        if (a.kind === 'ok') {
          outcome = a;
          break;
        }
        if (a.kind === 'more') more ??= a;
        else outcome ??= a;
      }
      if (outcome?.kind === 'ok') {
        const r = extract(outcome.ds, outcome.ts, layout, bytesRead, fileSize);
        if (!r.ok) return r;
        const px = pixelDataProblem(fd, r);
        return { ...r, pixelDataProblem: px.problem, bytesRead: r.bytesRead + px.bytesRead };
      }
      if (more?.kind === 'more' && !whole) {
        want = more.whole ? fileSize : Math.min(fileSize, want * 2);
        continue;
      }
      // Without File Meta there is no signature: a failed guess means "not recognisable", whatever broke.
      if (layout.rawCandidates.length) {
        return fail('not-dicom', `No File Meta and no transfer syntax fits the data set${outcome?.kind === 'bad' ? ` (${outcome.message})` : ''}`);
      }
      if (outcome?.kind === 'bad') return fail(outcome.reason, outcome.message);
      return fail('truncated', `The header is cut short (file is ${fileSize} bytes)`);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code ? 'unreadable' : 'not-dicom', errorText(e));
  } finally {
    if (fd !== null) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // nothing useful to do: the result is already decided
  }
}

const REQUIRED_UIDS = [
  { key: 'sopClassUid', name: 'SOP Class UID', tag: 'x00080016', label: '(0008,0016)', fallback: 'x00020002' },
  { key: 'sopInstanceUid', name: 'SOP Instance UID', tag: 'x00080018', label: '(0008,0018)', fallback: 'x00020003' },
  { key: 'studyUid', name: 'Study Instance UID', tag: 'x0020000d', label: '(0020,000D)', fallback: null },
  { key: 'seriesUid', name: 'Series Instance UID', tag: 'x0020000e', label: '(0020,000E)', fallback: null },
] as const;

/** String value with trailing spaces/NULs removed; null when absent or empty. */
function str(ds: DataSet, tag: string, utf8: boolean): string | null {
  const el = ds.elements[tag] as (DataSet['elements'][string] & { Value?: string }) | undefined;
  if (!el) return null;
  let s: string;
  if (typeof el.Value === 'string') s = el.Value;
  else {
    if (!(el.length > 0) || el.hadUndefinedLength) return null;
    const end = Math.min(el.dataOffset + el.length, ds.byteArray.length);
    s = Buffer.from(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset, end - el.dataOffset).toString(utf8 ? 'utf8' : 'latin1');
  }
  s = s.replace(/[ \0]+$/, '');
  return s === '' ? null : s;
}

function int(ds: DataSet, tag: string): number | null {
  const s = str(ds, tag, false);
  const n = s === null ? NaN : parseInt(s.split('\\')[0] ?? '', 10);
  return Number.isFinite(n) ? n : null;
}

function extract(ds: DataSet, ts: string | null, layout: Layout, bytesRead: number, fileSize: number): HeaderReadResult {
  const fail = (reason: SkipReason, message: string): HeaderReadFailed => ({ ok: false, reason, message, bytesRead, fileSize });
  const uids: Record<string, string> = {};
  for (const u of REQUIRED_UIDS) {
    const v = str(ds, u.tag, false) ?? (u.fallback ? str(ds, u.fallback, false) : null);
    if (v === null) return fail('missing-uid', `Missing ${u.name} ${u.label}`);
    const problem = uidProblem(v);
    if (problem) return fail('invalid-uid', `Invalid ${u.name} ${u.label} "${v}": ${describeUidProblem(problem)}`);
    uids[u.key] = v;
  }
  // Only UTF-8 is decoded specially; other character sets are read byte-per-character (Latin-1).
  const utf8 = (str(ds, 'x00080005', false) ?? '').includes('ISO_IR 192');
  const header: InstanceHeader = {
    sopClassUid: uids.sopClassUid!,
    sopInstanceUid: uids.sopInstanceUid!,
    studyUid: uids.studyUid!,
    seriesUid: uids.seriesUid!,
    transferSyntaxUid: ts,
    patientName: str(ds, 'x00100010', utf8),
    patientId: str(ds, 'x00100020', utf8),
    studyDate: str(ds, 'x00080020', false),
    studyDescription: str(ds, 'x00081030', utf8),
    accessionNumber: str(ds, 'x00080050', utf8),
    modality: str(ds, 'x00080060', false),
    seriesNumber: int(ds, 'x00200011'),
    seriesDescription: str(ds, 'x0008103e', utf8),
    instanceNumber: int(ds, 'x00200013'),
  };
  const px = ds.elements[PIXEL_DATA];
  let pixelDataOffset: number | null = null;
  let pixelDataLength: number | null = null;
  let pixelDataProblem: string | null = null;
  if (px && ts === DEFLATED_LE) {
    // Offsets are in the inflated stream, which we hold entirely: check the declared length here.
    if (!px.hadUndefinedLength && px.dataOffset + px.length > ds.byteArray.length) {
      pixelDataProblem = truncatedText(px.length, ds.byteArray.length - px.dataOffset, 'the inflated data set has');
    }
  } else if (px) {
    pixelDataOffset = px.dataOffset - layout.shift;
    pixelDataLength = px.hadUndefinedLength ? null : px.length;
  }
  return { ok: true, header, bytesRead, fileSize, pixelDataOffset, pixelDataLength, pixelDataProblem };
}

function truncatedText(declared: number, present: number, has = 'the file has'): string {
  return `Pixel Data truncated: declares ${declared} bytes, ${has} ${Math.max(0, present)}`;
}

/** Items of encapsulated Pixel Data walked at most (one 8-byte read each) before giving up on the check. */
const MAX_FRAGMENT_ITEMS = 1_000_000;

/**
 * Why the Pixel Data of a file whose header was just read is not all there, or null.
 * Defined length: offset + declared length must fit in the file size (no read).
 * Undefined length (encapsulated): most writers end the file with the Sequence Delimitation Item
 * (FFFE,E0DD) of length 0, so one 8-byte read of the file's end settles it. Otherwise (elements after
 * Pixel Data, e.g. trailing padding) the items are walked from the start of Pixel Data, reading only
 * each item's 8-byte header, until the delimiter: an item that runs past the end of the file, or no
 * delimiter, means the fragments are cut short.
 */
function pixelDataProblem(fd: number, r: HeaderReadOk): { problem: string | null; bytesRead: number } {
  if (r.pixelDataOffset === null) return { problem: r.pixelDataProblem, bytesRead: 0 };
  if (r.pixelDataLength !== null) {
    const ok = r.pixelDataOffset + r.pixelDataLength <= r.fileSize;
    return { problem: ok ? null : truncatedText(r.pixelDataLength, r.fileSize - r.pixelDataOffset), bytesRead: 0 };
  }
  if (r.fileSize < r.pixelDataOffset + 8) return { problem: 'Encapsulated Pixel Data truncated before its first item', bytesRead: 0 };
  const be = r.header.transferSyntaxUid === EXPLICIT_BE;
  const head = Buffer.alloc(8);
  const itemAt = (offset: number): { group: number; elem: number; len: number } | null => {
    if (fs.readSync(fd, head, 0, 8, offset) !== 8) return null;
    return be
      ? { group: head.readUInt16BE(0), elem: head.readUInt16BE(2), len: head.readUInt32BE(4) }
      : { group: head.readUInt16LE(0), elem: head.readUInt16LE(2), len: head.readUInt32LE(4) };
  };
  const isDelimiter = (i: { group: number; elem: number; len: number } | null) => i !== null && i.group === 0xfffe && i.elem === 0xe0dd && i.len === 0;
  if (isDelimiter(itemAt(r.fileSize - 8))) return { problem: null, bytesRead: 8 };
  let bytesRead = 8;
  let offset = r.pixelDataOffset;
  for (let n = 0; n < MAX_FRAGMENT_ITEMS; n++) {
    if (offset + 8 > r.fileSize) break;
    const item = itemAt(offset);
    bytesRead += 8;
    if (isDelimiter(item)) return { problem: null, bytesRead };
    if (!item || item.group !== 0xfffe || item.elem !== 0xe000) {
      return { problem: `Encapsulated Pixel Data damaged: no fragment item at byte ${offset}`, bytesRead };
    }
    offset += 8 + item.len;
    if (offset > r.fileSize) break;
  }
  return { problem: 'Encapsulated Pixel Data truncated: its fragments end before the Sequence Delimitation Item (FFFE,E0DD)', bytesRead };
}

/**
 * Whether the file holds all of its Pixel Data, as found by readDicomHeader. The scan flags an incomplete file
 * (it stays indexed); the origin server's commit-time re-read refuses it: both use this one check.
 */
export function checkComplete(r: HeaderReadOk): { complete: true } | { complete: false; message: string } {
  return r.pixelDataProblem === null ? { complete: true } : { complete: false, message: r.pixelDataProblem };
}
