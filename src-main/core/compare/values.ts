/**
 * Attribute values made comparable across encodings, and shown shortened. Two encodings of the
 * same value must compare equal: padding (PS3.5 §6.2: trailing spaces or NUL; leading spaces too
 * for the VRs where they are not significant) is dropped, and big-endian binary values are put in
 * little-endian byte order. Everything else is compared byte for byte, character sets included.
 */

const STRING_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);
/** VRs whose leading spaces are not significant either (PS3.5 Table 6.2-1). */
const TRIM_BOTH = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UI']);
/** Bytes per binary value, for the big-endian swap. */
const WORD: Record<string, number> = { US: 2, SS: 2, OW: 2, AT: 2, UL: 4, SL: 4, FL: 4, OL: 4, OF: 4, FD: 8, OD: 8, SV: 8, UV: 8, OV: 8 };

export const isStringVr = (vr: string) => STRING_VRS.has(vr);

const isPad = (b: number) => b === 0x20 || b === 0x00;

function trimRange(b: Uint8Array, start: number, end: number, leading: boolean): [number, number] {
  let s = start;
  let e = end;
  while (e > s && isPad(b[e - 1]!)) e--;
  if (leading) while (s < e && b[s] === 0x20) s++;
  return [s, e];
}

/** The comparable form of one value. `bigEndian`: the bytes come from an Explicit VR Big Endian data set. */
export function normalise(bytes: Uint8Array, vr: string, bigEndian: boolean): Buffer {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (STRING_VRS.has(vr)) {
    if (!TRIM_BOTH.has(vr)) {
      const [s, e] = trimRange(b, 0, b.length, false);
      return b.subarray(s, e);
    }
    // Multi-valued: trim each value between backslashes.
    const parts: Buffer[] = [];
    let start = 0;
    for (let i = 0; i <= b.length; i++) {
      if (i === b.length || b[i] === 0x5c) {
        const [s, e] = trimRange(b, start, i, true);
        parts.push(b.subarray(s, e));
        start = i + 1;
      }
    }
    return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from('\\'), p])));
  }
  const word = WORD[vr];
  if (!bigEndian || !word || b.length % word !== 0) return b;
  const out = Buffer.allocUnsafe(b.length);
  for (let i = 0; i < b.length; i += word) for (let j = 0; j < word; j++) out[i + j] = b[i + word - 1 - j]!;
  return out;
}

const MAX_TEXT = 64;

function shorten(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}

/** Binary values read as numbers, for short numeric attributes (little-endian, normalised). */
function numbers(b: Buffer, vr: string): string | null {
  const word = WORD[vr];
  if (!word || vr.startsWith('O') || b.length % word !== 0 || b.length > 16 * word) return null;
  const out: string[] = [];
  for (let i = 0; i < b.length; i += word) {
    switch (vr) {
      case 'US':
        out.push(String(b.readUInt16LE(i)));
        break;
      case 'SS':
        out.push(String(b.readInt16LE(i)));
        break;
      case 'UL':
        out.push(String(b.readUInt32LE(i)));
        break;
      case 'SL':
        out.push(String(b.readInt32LE(i)));
        break;
      case 'FL':
        out.push(String(b.readFloatLE(i)));
        break;
      case 'FD':
        out.push(String(b.readDoubleLE(i)));
        break;
      case 'SV':
        out.push(String(b.readBigInt64LE(i)));
        break;
      case 'UV':
        out.push(String(b.readBigUInt64LE(i)));
        break;
      case 'AT':
        out.push(`(${b.readUInt16LE(i).toString(16).padStart(4, '0')},${b.readUInt16LE(i + 2).toString(16).padStart(4, '0')})`.toUpperCase());
        i += 2;
        break;
      default:
        return null;
    }
  }
  return shorten(out.join('\\'));
}

/**
 * A value as a message shows it: text in quotes, short numbers as numbers, anything else as
 * its length (and where it first differs from `other`, when given). `declared` is the length the
 * element claims when the bytes are cut short.
 */
export function display(b: Buffer, vr: string, other?: Buffer, declared?: number): string {
  if (declared !== undefined && declared > b.length) return `cut short: ${b.length} of ${declared} bytes`;
  if (STRING_VRS.has(vr)) return `"${shorten(b.toString('utf8'))}"`;
  const n = numbers(b, vr);
  if (n !== null) return n;
  let text = `${b.length} bytes`;
  if (other && other.length === b.length) {
    const at = firstDifference(b, other);
    if (at >= 0) text += `, first difference at byte ${at} (0x${b[at]!.toString(16).padStart(2, '0')})`;
  }
  return text;
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  // Compare in 4 KiB blocks first: pixel data is large and usually equal for most of its length.
  for (let block = 0; block < n; block += 4096) {
    const end = Math.min(n, block + 4096);
    if (a.subarray(block, end).equals(b.subarray(block, end))) continue;
    for (let i = block; i < end; i++) if (a[i] !== b[i]) return i;
  }
  return a.length === b.length ? -1 : n;
}
