/**
 * A data set received by C-GET (no File Meta) as a Part 10 file, so that the comparison reads its transfer
 * syntax from the presentation context it came on instead of guessing it from the first bytes.
 */

function element(group: number, el: number, vr: 'UL' | 'OB' | 'UI', value: Buffer): Buffer {
  const long = vr === 'OB';
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(el, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

/** A UID padded to an even length with NUL (PS3.5 9.1). */
function uid(text: string): Buffer {
  const b = Buffer.from(text, 'latin1');
  return b.length % 2 === 0 ? b : Buffer.concat([b, Buffer.alloc(1)]);
}

export function wrapAsPart10(dataSet: Buffer, o: { sopClassUid: string; sopInstanceUid: string; transferSyntaxUid: string }): Buffer {
  const rest = Buffer.concat([
    element(0x0002, 0x0001, 'OB', Buffer.from([0x00, 0x01])),
    element(0x0002, 0x0002, 'UI', uid(o.sopClassUid)),
    element(0x0002, 0x0003, 'UI', uid(o.sopInstanceUid)),
    element(0x0002, 0x0010, 'UI', uid(o.transferSyntaxUid)),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(rest.length, 0);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), element(0x0002, 0x0000, 'UL', length), rest, dataSet]);
}
