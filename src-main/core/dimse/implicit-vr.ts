/**
 * Re-encodes an uncompressed data set from Explicit VR (little or big endian) into Implicit VR
 * Little Endian (PS3.5 7.1.3), for an archive that accepts a SOP class only in that syntax.
 *
 * Element by element, values unchanged: only headers are rewritten (and, from big endian, the
 * values byte-swapped by their VR). dcmjs was tried first and dropped private elements it has no
 * dictionary entry for. Defined lengths of sequences and items are recomputed (a long-VR header
 * shrinks from 12 to 8 bytes); group length elements (gggg,0000), optional in a data set and wrong
 * once lengths change, are left out.
 */
const UNDEFINED = 0xffffffff;
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const SWAP: Record<string, 2 | 4 | 8> = {
  US: 2, SS: 2, OW: 2, AT: 2,
  UL: 4, SL: 4, FL: 4, OF: 4, OL: 4,
  FD: 8, OD: 8, SV: 8, UV: 8, OV: 8,
};

export class ReencodeError extends Error {}

class Reader {
  constructor(
    readonly src: Buffer,
    readonly bigEndian: boolean,
  ) {}
  u16(p: number): number {
    this.need(p, 2);
    return this.bigEndian ? this.src.readUInt16BE(p) : this.src.readUInt16LE(p);
  }
  u32(p: number): number {
    this.need(p, 4);
    return this.bigEndian ? this.src.readUInt32BE(p) : this.src.readUInt32LE(p);
  }
  need(p: number, n: number): void {
    if (p + n > this.src.length) throw new ReencodeError(`data set ends inside an element at byte ${p}`);
  }
}

function header(group: number, elem: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt16LE(group, 0);
  b.writeUInt16LE(elem, 2);
  b.writeUInt32LE(length, 4);
  return b;
}

function swapped(vr: string, value: Buffer): Buffer {
  const size = SWAP[vr];
  if (!size || value.length % size !== 0) return value;
  const copy = Buffer.from(value);
  if (size === 2) copy.swap16();
  else if (size === 4) copy.swap32();
  else copy.swap64();
  return copy;
}

const size = (parts: Buffer[]) => parts.reduce((n, b) => n + b.length, 0);

/**
 * Converts elements from `pos` up to `end`, or up to and including an Item Delimitation Item when
 * `inUndefinedItem`. Returns the position after what was read.
 */
function elements(r: Reader, pos: number, end: number, inUndefinedItem: boolean, out: Buffer[]): number {
  while (pos < end) {
    const group = r.u16(pos);
    const elem = r.u16(pos + 2);
    if (group === 0xfffe && elem === 0xe00d) {
      if (!inUndefinedItem) throw new ReencodeError(`unexpected Item Delimitation Item at byte ${pos}`);
      out.push(header(0xfffe, 0xe00d, 0));
      return pos + 8;
    }
    r.need(pos, 8);
    const vr = r.src.toString('latin1', pos + 4, pos + 6);
    const long = LONG_VRS.has(vr);
    const length = long ? r.u32(pos + 8) : r.u16(pos + 6);
    const v = pos + (long ? 12 : 8);
    if (vr === 'SQ') {
      pos = sequence(r, group, elem, v, length, out);
      continue;
    }
    if (length === UNDEFINED) throw new ReencodeError(`(${group.toString(16)},${elem.toString(16)}) ${vr} of undefined length cannot be re-encoded`);
    r.need(v, length);
    if (elem !== 0x0000) out.push(header(group, elem, length), r.bigEndian ? swapped(vr, r.src.subarray(v, v + length)) : r.src.subarray(v, v + length));
    pos = v + length;
  }
  if (inUndefinedItem) throw new ReencodeError('item without its Item Delimitation Item');
  return pos;
}

function sequence(r: Reader, group: number, elem: number, v: number, length: number, out: Buffer[]): number {
  const items: Buffer[] = [];
  const end = length === UNDEFINED ? r.src.length : v + length;
  let q = v;
  let delimited = false;
  while (q < end) {
    const ig = r.u16(q);
    const ie = r.u16(q + 2);
    const il = r.u32(q + 4);
    if (ig === 0xfffe && ie === 0xe0dd) {
      q += 8;
      delimited = true;
      break;
    }
    if (ig !== 0xfffe || ie !== 0xe000) throw new ReencodeError(`expected an item in sequence (${group.toString(16)},${elem.toString(16)}) at byte ${q}`);
    const body: Buffer[] = [];
    if (il === UNDEFINED) {
      q = elements(r, q + 8, r.src.length, true, body);
      items.push(header(0xfffe, 0xe000, UNDEFINED), ...body);
    } else {
      elements(r, q + 8, q + 8 + il, false, body);
      items.push(header(0xfffe, 0xe000, size(body)), ...body);
      q += 8 + il;
    }
  }
  if (length === UNDEFINED) {
    if (!delimited) throw new ReencodeError(`sequence (${group.toString(16)},${elem.toString(16)}) without its Sequence Delimitation Item`);
    out.push(header(group, elem, UNDEFINED), ...items, header(0xfffe, 0xe0dd, 0));
    return q;
  }
  out.push(header(group, elem, size(items)), ...items);
  return end;
}

/** The data set, Explicit VR (big endian when `bigEndian`), as Implicit VR Little Endian. Throws ReencodeError. */
export function toImplicitLittleEndian(dataSet: Buffer, bigEndian: boolean): Buffer {
  const out: Buffer[] = [];
  elements(new Reader(dataSet, bigEndian), 0, dataSet.length, false, out);
  return Buffer.concat(out);
}
