import { describe, expect, test } from 'vitest';
import { ReencodeError, toImplicitLittleEndian } from '../../../src-main/core/dimse/implicit-vr';

const UNDEFINED = 0xffffffff;
const LONG = new Set(['OB', 'OW', 'SQ', 'UN', 'UT']);

type Enc = 'explicit-le' | 'explicit-be' | 'implicit';

/** One element in `enc` (values are given little endian and swapped here for big endian by `swap`). */
function el(enc: Enc, group: number, elem: number, vr: string, value: Buffer, length = value.length, swap: 0 | 2 = 0): Buffer {
  const be = enc === 'explicit-be';
  const v = be && swap === 2 ? Buffer.from(value).swap16() : value;
  const u16 = (b: Buffer, n: number, o: number) => (be ? b.writeUInt16BE(n, o) : b.writeUInt16LE(n, o));
  const u32 = (b: Buffer, n: number, o: number) => (be ? b.writeUInt32BE(n, o) : b.writeUInt32LE(n, o));
  let h: Buffer;
  if (enc === 'implicit') {
    h = Buffer.alloc(8);
    u32(h, length, 4);
  } else if (LONG.has(vr)) {
    h = Buffer.alloc(12);
    h.write(vr, 4, 'latin1');
    u32(h, length, 8);
  } else {
    h = Buffer.alloc(8);
    h.write(vr, 4, 'latin1');
    u16(h, length, 6);
  }
  u16(h, group, 0);
  u16(h, elem, 2);
  return Buffer.concat([h, v]);
}

/** Item / delimiter (FFFE group): never has a VR. */
function item(enc: Enc, elem: number, body: Buffer, length = body.length): Buffer {
  const h = Buffer.alloc(8);
  if (enc === 'explicit-be') {
    h.writeUInt16BE(0xfffe, 0);
    h.writeUInt16BE(elem, 2);
    h.writeUInt32BE(length, 4);
  } else {
    h.writeUInt16LE(0xfffe, 0);
    h.writeUInt16LE(elem, 2);
    h.writeUInt32LE(length, 4);
  }
  return Buffer.concat([h, body]);
}

const s = (t: string) => Buffer.from(t.length % 2 ? `${t}\0` : t, 'latin1');

/** The same data set in any encoding: nested sequences of defined and undefined length, a private OB inside an item. */
function dataSet(enc: Enc, withGroupLength: boolean): Buffer {
  const inner = Buffer.concat([el(enc, 0x0008, 0x1150, 'UI', s('1.2.3')), el(enc, 0x0029, 0x0010, 'LO', s('ACME')), el(enc, 0x0029, 0x1010, 'OB', Buffer.from([1, 2, 3, 4]))]);
  const definedSeq = item(enc, 0xe000, inner);
  const code = el(enc, 0x0008, 0x0100, 'SH', s('CODE'));
  const undefinedSeq = Buffer.concat([item(enc, 0xe000, Buffer.concat([code, item(enc, 0xe00d, Buffer.alloc(0))]), UNDEFINED), item(enc, 0xe0dd, Buffer.alloc(0))]);
  const rows = Buffer.from([0x00, 0x02]); // 512, little endian
  const pixels = Buffer.from([1, 0, 2, 0, 3, 0, 4, 0]);
  const body = [
    el(enc, 0x0008, 0x0016, 'UI', s('1.2.840.10008.5.1.4.1.1.2')),
    el(enc, 0x0008, 0x1140, 'SQ', definedSeq),
    el(enc, 0x0008, 0x2112, 'SQ', undefinedSeq, UNDEFINED),
    el(enc, 0x0028, 0x0010, 'US', rows, 2, 2),
    el(enc, 0x7fe0, 0x0010, 'OW', pixels, 8, 2),
  ];
  if (!withGroupLength) return Buffer.concat(body);
  const gl = Buffer.alloc(4);
  gl.writeUInt32LE(123);
  return Buffer.concat([el(enc, 0x0008, 0x0000, 'UL', enc === 'explicit-be' ? Buffer.from(gl).reverse() : gl), ...body]);
}

describe('Explicit VR to Implicit VR Little Endian', () => {
  test('little endian: headers rewritten, defined lengths recomputed, values and private elements kept, group lengths dropped', () => {
    expect(toImplicitLittleEndian(dataSet('explicit-le', true), false).equals(dataSet('implicit', false))).toBe(true);
  });

  test('big endian: the same, with values swapped by VR', () => {
    expect(toImplicitLittleEndian(dataSet('explicit-be', false), true).equals(dataSet('implicit', false))).toBe(true);
  });

  test('a data set cut short is an error, not a silently shorter data set', () => {
    const full = dataSet('explicit-le', false);
    expect(() => toImplicitLittleEndian(full.subarray(0, full.length - 3), false)).toThrow(ReencodeError);
  });
});
