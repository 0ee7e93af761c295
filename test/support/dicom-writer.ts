/**
 * Minimal, dependency-free DICOM Part 10 writer for tests and benchmarks.
 * It writes just enough of a valid instance (File Meta + patient/study/series/
 * instance attributes + optional pixel data) to exercise header readers, and is
 * fast enough to generate thousands of files (one Buffer.concat per file).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';

export interface WriteOptions {
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string;
  seriesUid: string;
  patientName?: string;
  patientId?: string;
  studyDate?: string;
  studyDescription?: string;
  accessionNumber?: string;
  modality?: string;
  seriesNumber?: number;
  seriesDescription?: string;
  instanceNumber?: number;
  /** Encoding of the data set (File Meta is always explicit VR little endian). Default explicit-le. */
  transferSyntax?: 'explicit-le' | 'implicit-le' | 'explicit-be';
  /** Default true (128 zero bytes + 'DICM'); false => the file starts with 'DICM'. */
  preamble?: boolean;
  /** UIDs to leave out, from the data set and from the File Meta (so no fallback exists). */
  omit?: Array<'sopClassUid' | 'sopInstanceUid' | 'studyUid' | 'seriesUid'>;
  /** Size of a native OW Pixel Data element to append (default 0 = none). */
  pixelBytes?: number;
  /** Encapsulated Pixel Data with these fragment sizes (JPEG Baseline transfer syntax in the meta). */
  encapsulatedFragments?: number[];
  /** Adds a private OB element of about this many bytes so the header is bigger than N bytes. */
  padHeaderBytes?: number;
}

export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  explicitBE: '1.2.840.10008.1.2.2',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
} as const;

const IMPLEMENTATION_CLASS_UID = '1.2.826.0.1.3680043.10.1089.1';
const IMPLEMENTATION_VERSION = 'SAFEKEEP_TEST';
/** VRs whose explicit encoding has 2 reserved bytes and a 32-bit length. */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED_LENGTH = 0xffffffff;

type Syntax = { explicit: boolean; bigEndian: boolean };
const META_SYNTAX: Syntax = { explicit: true, bigEndian: false };

/** '2.25.' + a random 128-bit integer in decimal (PS3.5 B.2): always a valid UID of at most 44 chars. */
export function randomUid(): string {
  return `2.25.${BigInt('0x' + randomBytes(16).toString('hex')).toString()}`;
}

/** Even-length string value: UI padded with NUL, everything else with a space. */
function str(vr: string, value: string): Buffer {
  const b = Buffer.from(value, 'utf8');
  if (b.length % 2 === 0) return b;
  return Buffer.concat([b, Buffer.from(vr === 'UI' ? [0] : [0x20])]);
}

function us(value: number, s: Syntax): Buffer {
  const b = Buffer.alloc(2);
  if (s.bigEndian) b.writeUInt16BE(value);
  else b.writeUInt16LE(value);
  return b;
}

/** One element header + value. `length` overrides the value length (undefined-length OB). */
function element(s: Syntax, group: number, elem: number, vr: string, value: Buffer, length = value.length): Buffer {
  const long = LONG_VRS.has(vr);
  const head = Buffer.alloc(!s.explicit ? 8 : long ? 12 : 8);
  const u16 = (v: number, o: number) => (s.bigEndian ? head.writeUInt16BE(v, o) : head.writeUInt16LE(v, o));
  const u32 = (v: number, o: number) => (s.bigEndian ? head.writeUInt32BE(v, o) : head.writeUInt32LE(v, o));
  u16(group, 0);
  u16(elem, 2);
  if (!s.explicit) u32(length, 4);
  else {
    head.write(vr, 4, 'latin1');
    if (long) u32(length, 8);
    else u16(length, 6);
  }
  return Buffer.concat([head, value]);
}

/** Item / delimiter tags (group FFFE) are always VR-less: tag + 32-bit length. */
function item(s: Syntax, elem: number, value: Buffer, length = value.length): Buffer {
  return element({ ...s, explicit: false }, 0xfffe, elem, '', value, length);
}

function fileMeta(sopClassUid: string | null, sopInstanceUid: string | null, ts: string): Buffer {
  const els: Buffer[] = [element(META_SYNTAX, 0x0002, 0x0001, 'OB', Buffer.from([0, 1]))];
  if (sopClassUid !== null) els.push(element(META_SYNTAX, 0x0002, 0x0002, 'UI', str('UI', sopClassUid)));
  if (sopInstanceUid !== null) els.push(element(META_SYNTAX, 0x0002, 0x0003, 'UI', str('UI', sopInstanceUid)));
  els.push(
    element(META_SYNTAX, 0x0002, 0x0010, 'UI', str('UI', ts)),
    element(META_SYNTAX, 0x0002, 0x0012, 'UI', str('UI', IMPLEMENTATION_CLASS_UID)),
    element(META_SYNTAX, 0x0002, 0x0013, 'SH', str('SH', IMPLEMENTATION_VERSION)),
  );
  const body = Buffer.concat(els);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(body.length);
  return Buffer.concat([element(META_SYNTAX, 0x0002, 0x0000, 'UL', groupLength), body]);
}

export function encodeDicom(o: WriteOptions): Buffer {
  const encapsulated = o.encapsulatedFragments !== undefined;
  const tsName = o.transferSyntax ?? 'explicit-le';
  if (encapsulated && tsName !== 'explicit-le') throw new Error('encapsulated pixel data needs explicit-le');
  const s: Syntax = { explicit: tsName !== 'implicit-le', bigEndian: tsName === 'explicit-be' };
  const ts = encapsulated
    ? TS.jpegBaseline
    : tsName === 'implicit-le'
      ? TS.implicitLE
      : tsName === 'explicit-be'
        ? TS.explicitBE
        : TS.explicitLE;
  const omit = new Set(o.omit ?? []);
  const uid = (k: 'sopClassUid' | 'sopInstanceUid' | 'studyUid' | 'seriesUid') => (omit.has(k) ? null : o[k]);

  const ds: Buffer[] = [];
  const text = (g: number, e: number, vr: string, v: string | number | undefined | null) => {
    if (v !== undefined && v !== null) ds.push(element(s, g, e, vr, str(vr, String(v))));
  };
  // Elements in ascending tag order, as PS3.5 7.1 requires.
  if (o.patientName !== undefined && /[^\x20-\x7e]/.test(o.patientName)) text(0x0008, 0x0005, 'CS', 'ISO_IR 192');
  text(0x0008, 0x0016, 'UI', uid('sopClassUid'));
  text(0x0008, 0x0018, 'UI', uid('sopInstanceUid'));
  text(0x0008, 0x0020, 'DA', o.studyDate);
  text(0x0008, 0x0050, 'SH', o.accessionNumber);
  text(0x0008, 0x0060, 'CS', o.modality);
  text(0x0008, 0x1030, 'LO', o.studyDescription);
  text(0x0008, 0x103e, 'LO', o.seriesDescription);
  text(0x0010, 0x0010, 'PN', o.patientName);
  text(0x0010, 0x0020, 'LO', o.patientId);
  text(0x0020, 0x000d, 'UI', uid('studyUid'));
  text(0x0020, 0x000e, 'UI', uid('seriesUid'));
  text(0x0020, 0x0011, 'IS', o.seriesNumber);
  text(0x0020, 0x0013, 'IS', o.instanceNumber);

  const pixelBytes = Math.ceil((o.pixelBytes ?? 0) / 2) * 2; // OW is even by definition
  if (pixelBytes > 0 || encapsulated) {
    const bits = encapsulated ? 8 : 16;
    const pixels = pixelBytes / 2;
    const columns = encapsulated ? 64 : pixels % 256 === 0 ? 256 : pixels;
    const rows = encapsulated ? 64 : pixels / columns;
    ds.push(element(s, 0x0028, 0x0002, 'US', us(1, s)));
    text(0x0028, 0x0004, 'CS', 'MONOCHROME2');
    ds.push(
      element(s, 0x0028, 0x0010, 'US', us(rows, s)),
      element(s, 0x0028, 0x0011, 'US', us(columns, s)),
      element(s, 0x0028, 0x0100, 'US', us(bits, s)),
      element(s, 0x0028, 0x0101, 'US', us(bits, s)),
      element(s, 0x0028, 0x0102, 'US', us(bits - 1, s)),
      element(s, 0x0028, 0x0103, 'US', us(0, s)),
    );
  }
  if (o.padHeaderBytes !== undefined && o.padHeaderBytes > 0) {
    text(0x0029, 0x0010, 'LO', 'SAFEKEEP TEST PADDING'); // private creator reserving (0029,10xx)
    ds.push(element(s, 0x0029, 0x1000, 'OB', Buffer.alloc(Math.ceil(o.padHeaderBytes / 2) * 2, 0x78)));
  }
  if (encapsulated) {
    // Empty Basic Offset Table item, one item per fragment, then the Sequence Delimitation Item.
    const parts = [item(s, 0xe000, Buffer.alloc(0))];
    for (const size of o.encapsulatedFragments ?? []) {
      const frag = Buffer.alloc(Math.ceil(size / 2) * 2, 0xab);
      if (frag.length >= 2) frag.writeUInt16BE(0xffd8, 0); // JPEG SOI, for realism
      parts.push(item(s, 0xe000, frag));
    }
    parts.push(item(s, 0xe0dd, Buffer.alloc(0)));
    ds.push(element(s, 0x7fe0, 0x0010, 'OB', Buffer.concat(parts), UNDEFINED_LENGTH));
  } else if (pixelBytes > 0) {
    // A deterministic ramp; byte order does not matter to a header reader.
    const px = Buffer.alloc(pixelBytes);
    for (let i = 0; i < Math.min(pixelBytes, 4096); i++) px[i] = i & 0xff;
    ds.push(element(s, 0x7fe0, 0x0010, 'OW', px));
  }

  const prefix = o.preamble === false ? [Buffer.from('DICM')] : [Buffer.alloc(128), Buffer.from('DICM')];
  return Buffer.concat([...prefix, fileMeta(uid('sopClassUid'), uid('sopInstanceUid'), ts), ...ds]);
}

export function writeDicomFile(path: string, o: WriteOptions): void {
  fs.writeFileSync(path, encodeDicom(o));
}
