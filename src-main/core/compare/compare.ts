/**
 * Compares a local Part 10 file with the archive's copy (issue 11 §3): the same attributes with
 * the same values, sequences item by item, private attributes included, and the same Pixel Data
 * bytes when the transfer syntax is the same. Implicit and Explicit VR encodings of the same
 * values compare equal. The first difference, in tag order, is named.
 *
 * Left out, because an archive may legitimately rewrite them (listed in the conformance statement):
 *  - the File Meta Information group (0002,xxxx): the archive writes its own;
 *  - Group Length attributes (gggg,0000): retired outside groups 0000/0002, added or dropped freely;
 *  - Data Set Trailing Padding (FFFC,FFFC): padding with no meaning, may be dropped;
 *  - the Basic Offset Table item of encapsulated Pixel Data: optional, may be added or emptied;
 *    the fragments' bytes are compared, not where they are split;
 *  - when the copy is transcoded: Pixel Data itself (unless both are uncompressed, then its values
 *    are compared) and Extended Offset Table (7FE0,0001)/(7FE0,0002), which only describe one encoding.
 */
import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import type { AttributeDifference, ContentComparison, Transcoding } from '../../../src-shared/compare';
import { dictionaryVr, keywordOf } from './dictionary';
import { NATIVE_SYNTAXES, openDicom, transferSyntaxName, type ParsedFile } from './part10';
import { display, isStringVr, normalise } from './values';

const PIXEL_DATA = 'x7fe00010';
const EXTENDED_OFFSET_TABLE = new Set(['x7fe00001', 'x7fe00002']);
const TRAILING_PADDING = 'xfffcfffc';

interface Side {
  bigEndian: boolean;
  /** Bits Allocated (0028,0100): the unit in which big-endian native Pixel Data is byte-swapped. */
  bitsAllocated: number | null;
}

interface Context {
  local: Side;
  retrieved: Side;
  transcoded: Transcoding | null;
}

export function compareContent(local: Buffer, retrieved: Buffer): ContentComparison {
  const a = openDicom(local);
  if (!('ds' in a)) return { outcome: 'unreadable', side: 'local', message: `The local file cannot be compared: ${a.problem}` };
  if (a.problem) return { outcome: 'unreadable', side: 'local', message: `The local file cannot be compared: ${a.problem}` };
  const b = openDicom(retrieved);
  if (!('ds' in b)) return { outcome: 'unreadable', side: 'retrieved', message: `The archive's copy cannot be compared: ${b.problem}` };
  const transcoded = transcoding(a, b);
  const side = (p: ParsedFile): Side => ({ bigEndian: p.bigEndian, bitsAllocated: p.ds.uint16('x00280100') ?? null });
  const ctx: Context = { local: side(a), retrieved: side(b), transcoded };
  const difference = walk(a.ds, b.ds, ctx, '', true);
  const suffix = transcoded ? `; ${transcoded.message}` : '';
  if (difference) {
    const where = `${difference.path ? `${difference.path} > ` : ''}${nameOf(difference.tag, difference.keyword)}`;
    const cut = b.problem ? ` (the archive's copy: ${b.problem})` : '';
    return {
      outcome: 'differs',
      difference,
      transcoded,
      message: `Content differs at ${where}: local ${difference.local}, archive ${difference.retrieved}${cut}${suffix}`,
    };
  }
  if (b.problem) return { outcome: 'unreadable', side: 'retrieved', message: `The archive's copy cannot be compared: ${b.problem}` };
  return { outcome: 'same', transcoded, message: `Same content${suffix}` };
}

function transcoding(a: ParsedFile, b: ParsedFile): Transcoding | null {
  if (a.transferSyntax === b.transferSyntax) return null;
  const native = NATIVE_SYNTAXES.has(a.transferSyntax) && NATIVE_SYNTAXES.has(b.transferSyntax);
  const head = `transcoded from ${transferSyntaxName(a.transferSyntax)} to ${transferSyntaxName(b.transferSyntax)}`;
  return {
    from: a.transferSyntax,
    to: b.transferSyntax,
    pixelData: native ? 'compared' : 'not-compared',
    message: native ? `${head}: both uncompressed, pixel data compared value for value` : `${head}: pixel data not compared byte for byte`,
  };
}

/** "(0010,0010)" from "x00100010". */
const tagText = (tag: string) => `(${tag.slice(1, 5)},${tag.slice(5)})`.toUpperCase();
const nameOf = (tag: string, keyword: string | null) => (keyword ? `${keyword} ${tag}` : `${tag} (private or unknown)`);

function excluded(tag: string, top: boolean, ctx: Context): boolean {
  if (top && tag.startsWith('x0002')) return true;
  // Item and delimitation tags (FFFE,xxxx) are encoding, not attributes.
  if (tag.endsWith('0000') || tag === TRAILING_PADDING || tag.startsWith('xfffe')) return true;
  return top && ctx.transcoded !== null && EXTENDED_OFFSET_TABLE.has(tag);
}

function walk(a: DataSet, b: DataSet, ctx: Context, path: string, top: boolean): AttributeDifference | null {
  const tags = [...new Set([...Object.keys(a.elements), ...Object.keys(b.elements)])].sort();
  for (const tag of tags) {
    if (excluded(tag, top, ctx)) continue;
    const ea = a.elements[tag];
    const eb = b.elements[tag];
    const vr = chooseVr(tag, ea, eb);
    const diff = (local: string, retrieved: string): AttributeDifference => ({ tag: tagText(tag), keyword: keywordOf(tag), path, local, retrieved });
    if (!ea || !eb) {
      const shown = (el: Element, ds: DataSet, side: Side) => describe(el, ds, side, vr);
      return diff(ea ? shown(ea, a, ctx.local) : '(absent)', eb ? shown(eb, b, ctx.retrieved) : '(absent)');
    }
    if (top && tag === PIXEL_DATA) {
      const d = comparePixelData(ea, eb, a, b, ctx, vr);
      if (d) return diff(d[0], d[1]);
      continue;
    }
    const ia = vr === 'SQ' || ea.items ? itemsOf(ea, a) : null;
    const ib = vr === 'SQ' || eb.items ? itemsOf(eb, b) : null;
    if (ia && ib) {
      if (ia.length !== ib.length) return diff(`${ia.length} item(s)`, `${ib.length} item(s)`);
      const here = nameOf(tagText(tag), keywordOf(tag));
      for (let i = 0; i < ia.length; i++) {
        const d = walk(ia[i]!, ib[i]!, ctx, `${path ? `${path} > ` : ''}${here} item ${i + 1}`, false);
        if (d) return d;
      }
      continue;
    }
    const va = value(ea, a, ctx.local, vr);
    const vb = value(eb, b, ctx.retrieved, vr);
    if (!va.bytes.equals(vb.bytes) || va.cut || vb.cut) {
      return diff(display(va.bytes, vr, vb.bytes, va.cut ? ea.length : undefined), display(vb.bytes, vr, va.bytes, vb.cut ? eb.length : undefined));
    }
  }
  return null;
}

/**
 * One VR for both sides: an explicit VR other than UN wins (Implicit VR files carry none, and an
 * archive may write UN for a private attribute it does not know); else the dictionary's.
 */
function chooseVr(tag: string, a: Element | undefined, b: Element | undefined): string {
  for (const vr of [a?.vr, b?.vr]) if (vr && vr !== 'UN') return vr;
  return dictionaryVr(tag) ?? a?.vr ?? b?.vr ?? 'UN';
}

/** The value bytes as far as the file holds them; `cut` when the declared length runs past the end. */
function rawBytes(el: Element, ds: DataSet): { bytes: Uint8Array; cut: boolean } {
  const end = Math.min(ds.byteArray.length, el.dataOffset + el.length);
  return { bytes: ds.byteArray.subarray(el.dataOffset, Math.max(el.dataOffset, end)), cut: el.dataOffset + el.length > ds.byteArray.length };
}

function value(el: Element, ds: DataSet, side: Side, vr: string): { bytes: Buffer; cut: boolean } {
  const { bytes, cut } = rawBytes(el, ds);
  // A big-endian side has explicit VRs; swap by its own (e.g. OB pixel data is never swapped).
  const ownVr = el.vr && el.vr !== 'UN' ? el.vr : vr;
  return { bytes: normalise(bytes, isStringVr(vr) ? vr : ownVr, side.bigEndian), cut };
}

function describe(el: Element, ds: DataSet, side: Side, vr: string): string {
  if (el.items) return `${el.items.length} item(s)`;
  const v = value(el, ds, side, vr);
  return display(v.bytes, vr, undefined, v.cut ? el.length : undefined);
}

/** Sequence items: parsed by dicom-parser, or (an SQ written as UN, or a private SQ in Implicit VR) parsed here. */
function itemsOf(el: Element, ds: DataSet): DataSet[] | null {
  if (el.items) return el.items.map((i) => i.dataSet!).filter(Boolean);
  const { bytes, cut } = rawBytes(el, ds);
  if (cut) return null;
  try {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const stream = new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, buf, 0);
    const seq = { tag: el.tag, length: buf.length, dataOffset: 0, hadUndefinedLength: false } as Element;
    // dicom-parser's typing wants a string; it reads undefined as "VR unknown".
    dicomParser.readSequenceItemsImplicit(stream, seq, ((t: string) => dictionaryVr(t) ?? undefined) as (t: string) => string);
    return (seq.items ?? []).map((i) => i.dataSet!);
  } catch {
    return null;
  }
}

/** The fragments of encapsulated Pixel Data, joined; the Basic Offset Table item is left out. */
function fragmentBytes(el: Element, ds: DataSet): Buffer {
  const parts = (el.fragments ?? []).map((f) => ds.byteArray.subarray(f.position, Math.min(ds.byteArray.length, f.position + f.length)));
  return Buffer.concat(parts);
}

function comparePixelData(ea: Element, eb: Element, a: DataSet, b: DataSet, ctx: Context, vr: string): [string, string] | null {
  const encA = Boolean(ea.encapsulatedPixelData || ea.fragments);
  const encB = Boolean(eb.encapsulatedPixelData || eb.fragments);
  if (ctx.transcoded && ctx.transcoded.pixelData === 'not-compared') return null;
  if (encA || encB) {
    const fa = encA ? fragmentBytes(ea, a) : value(ea, a, ctx.local, vr).bytes;
    const fb = encB ? fragmentBytes(eb, b) : value(eb, b, ctx.retrieved, vr).bytes;
    if (fa.equals(fb)) return null;
    return [display(fa, 'OB', fb), display(fb, 'OB', fa)];
  }
  const va = pixelValues(ea, a, ctx.local, vr);
  const vb = pixelValues(eb, b, ctx.retrieved, vr);
  if (va.bytes.equals(vb.bytes) && !va.cut && !vb.cut) return null;
  return [display(va.bytes, 'OW', vb.bytes, va.cut ? ea.length : undefined), display(vb.bytes, 'OW', va.bytes, vb.cut ? eb.length : undefined)];
}

/**
 * Native Pixel Data in little-endian order. Big-endian OW pixel data wider than 16 bits is written
 * with whole pixel values swapped (32-bit dose grids), so the swap unit is Bits Allocated.
 */
function pixelValues(el: Element, ds: DataSet, side: Side, vr: string): { bytes: Buffer; cut: boolean } {
  const own = el.vr && el.vr !== 'UN' ? el.vr : vr;
  const wide = side.bigEndian && own === 'OW' && (side.bitsAllocated === 32 || side.bitsAllocated === 64);
  if (!wide) return value(el, ds, side, vr);
  const { bytes, cut } = rawBytes(el, ds);
  return { bytes: normalise(bytes, side.bitsAllocated === 32 ? 'UL' : 'UV', true), cut };
}
