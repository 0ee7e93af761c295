/**
 * Opens a whole DICOM file for the content comparison with dicom-parser: Part 10 (with or
 * without the 128-byte preamble) or a bare data set. A file cut short still gives the elements
 * before the cut, plus the reason, so the comparison can name where it stops.
 */
import dicomParser, { type DataSet, type ParseDicomOptions } from 'dicom-parser';
import { dictionaryVr } from './dictionary';

export const TS_IMPLICIT_LE = '1.2.840.10008.1.2';
export const TS_EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const TS_DEFLATED_LE = '1.2.840.10008.1.2.1.99';
export const TS_EXPLICIT_BE = '1.2.840.10008.1.2.2';

/** Uncompressed transfer syntaxes: their pixel values can be compared whatever the byte order. */
export const NATIVE_SYNTAXES = new Set([TS_IMPLICIT_LE, TS_EXPLICIT_LE, TS_DEFLATED_LE, TS_EXPLICIT_BE]);

const TS_NAMES: Record<string, string> = {
  [TS_IMPLICIT_LE]: 'Implicit VR Little Endian',
  [TS_EXPLICIT_LE]: 'Explicit VR Little Endian',
  [TS_DEFLATED_LE]: 'Deflated Explicit VR Little Endian',
  [TS_EXPLICIT_BE]: 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

/** "JPEG-LS Lossless (1.2.840.10008.1.2.4.80)" */
export function transferSyntaxName(uid: string): string {
  return TS_NAMES[uid] ? `${TS_NAMES[uid]} (${uid})` : uid;
}

export interface ParsedFile {
  /** All elements read, File Meta included (x0002xxxx); partial when `problem` is set. */
  ds: DataSet;
  transferSyntax: string;
  bigEndian: boolean;
  /** Why the parse stopped before the end of the file, null when it read everything. */
  problem: string | null;
}

const vrCallback = (tag: string) => dictionaryVr(tag) ?? undefined;

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && 'exception' in e) return errorText((e as { exception: unknown }).exception);
  return String(e);
}

const isUpper = (b: number | undefined) => b !== undefined && b >= 0x41 && b <= 0x5a;

/** The transfer syntax of a bare data set (no File Meta), guessed from its first element, or null. */
function rawSyntax(b: Buffer): string | null {
  if (b.length < 8) return null;
  if (b[0] === 0x08 && b[1] === 0x00) return isUpper(b[4]) && isUpper(b[5]) ? TS_EXPLICIT_LE : TS_IMPLICIT_LE;
  if (b[0] === 0x00 && b[1] === 0x08 && isUpper(b[4]) && isUpper(b[5])) return TS_EXPLICIT_BE;
  return null;
}

export function openDicom(input: Buffer): ParsedFile | { problem: string } {
  let buf = input;
  if (buf.length >= 4 && buf.toString('latin1', 0, 4) === 'DICM' && !(buf.length >= 132 && buf.toString('latin1', 128, 132) === 'DICM')) {
    buf = Buffer.concat([Buffer.alloc(128), buf]);
  }
  let ts: string;
  let raw = false;
  if (buf.length >= 132 && buf.toString('latin1', 128, 132) === 'DICM') {
    try {
      const meta = dicomParser.readPart10Header(buf);
      ts = (meta.string('x00020010') ?? '').replace(/[\0 ]+$/, '');
    } catch (e) {
      return { problem: `its File Meta Information cannot be read: ${errorText(e)}` };
    }
    if (!ts) return { problem: 'its File Meta Information has no Transfer Syntax UID (0002,0010)' };
  } else {
    const guess = rawSyntax(buf);
    if (!guess) return { problem: buf.length === 0 ? 'the file is empty' : 'it is not DICOM (no Part 10 signature, not a recognisable data set)' };
    ts = guess;
    raw = true;
  }
  const options: ParseDicomOptions = raw ? { TransferSyntaxUID: ts, vrCallback } : { vrCallback };
  const bigEndian = ts === TS_EXPLICIT_BE;
  try {
    const ds = dicomParser.parseDicom(buf, options);
    return { ds, transferSyntax: ts, bigEndian, problem: cutShort(ds) };
  } catch (e) {
    const partial = (e as { dataSet?: DataSet }).dataSet;
    if (!partial) return { problem: `it cannot be parsed: ${errorText(e)}` };
    return { ds: partial, transferSyntax: ts, bigEndian, problem: `it is cut short or malformed (${errorText(e)})` };
  }
}

/** An element whose declared length runs past the end of the bytes (dicom-parser does not always throw). */
function cutShort(ds: DataSet): string | null {
  for (const [tag, el] of Object.entries(ds.elements)) {
    if (el.hadUndefinedLength || el.items) continue;
    if (el.dataOffset + el.length > ds.byteArray.length) return `it is cut short inside (${tag.slice(1, 5)},${tag.slice(5)})`;
  }
  return null;
}
