import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareContent } from '../../../src-main/core/compare/compare';
import { encodeDicom, randomUid, type WriteOptions } from '../../support/dicom-writer';
import { CT_IMAGE, tempDir } from '../../support/fixtures';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const sample = (name: string) => fs.readFileSync(path.join(PYDICOM, name));
const base: WriteOptions = {
  sopClassUid: CT_IMAGE,
  sopInstanceUid: '2.25.1234567890',
  studyUid: '2.25.1',
  seriesUid: '2.25.2',
  patientName: 'DOE^JANE',
  patientId: 'P42',
  studyDate: '20260101',
  modality: 'CT',
  instanceNumber: 7,
  pixelBytes: 4096,
  padHeaderBytes: 64, // a private creator (0029,0010) and a private OB element (0029,1000)
};

/** Replaces the first occurrence of `from` with `to` (same length), as a corrupted copy would. */
function patch(buf: Buffer, from: string, to: string): Buffer {
  const at = buf.indexOf(from, 0, 'latin1');
  if (at < 0 || from.length !== to.length) throw new Error(`cannot patch ${from}`);
  const out = Buffer.from(buf);
  out.write(to, at, 'latin1');
  return out;
}

/** Hand-encoded data sets with a private sequence, in Explicit VR (SQ, parsed items) and Implicit VR (opaque bytes). */
function privateSequenceFile(explicit: boolean, referenced: string): Buffer {
  const el = (g: number, e: number, vr: string, value: Buffer): Buffer => {
    const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
    const head = Buffer.alloc(explicit ? (long ? 12 : 8) : 8);
    head.writeUInt16LE(g, 0);
    head.writeUInt16LE(e, 2);
    if (!explicit) head.writeUInt32LE(value.length, 4);
    else if (long) (head.write(vr, 4, 'latin1'), head.writeUInt32LE(value.length, 8));
    else (head.write(vr, 4, 'latin1'), head.writeUInt16LE(value.length, 6));
    return Buffer.concat([head, value]);
  };
  const text = (s: string, pad = ' ') => Buffer.from(s.length % 2 ? s + pad : s, 'latin1');
  const itemBody = Buffer.concat([el(0x0008, 0x1150, 'UI', text(CT_IMAGE, '\0')), el(0x0008, 0x1155, 'UI', text(referenced, '\0'))]);
  const item = Buffer.concat([Buffer.from([0xfe, 0xff, 0x00, 0xe0]), Buffer.alloc(4), itemBody]);
  item.writeUInt32LE(itemBody.length, 4);
  const ds = Buffer.concat([
    el(0x0008, 0x0016, 'UI', text(CT_IMAGE, '\0')),
    el(0x0008, 0x0018, 'UI', text('2.25.99', '\0')),
    el(0x0009, 0x0010, 'LO', text('SAFEKEEP TEST')),
    el(0x0009, 0x1001, 'SQ', item),
    el(0x0010, 0x0010, 'PN', text('DOE^JOHN')),
  ]);
  const ts = explicit ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2';
  const metaEl = (e: number, vr: string, v: Buffer) => {
    const h = Buffer.alloc(vr === 'OB' ? 12 : 8);
    h.writeUInt16LE(2, 0);
    h.writeUInt16LE(e, 2);
    h.write(vr, 4, 'latin1');
    if (vr === 'OB') h.writeUInt32LE(v.length, 8);
    else h.writeUInt16LE(v.length, 6);
    return Buffer.concat([h, v]);
  };
  const meta = Buffer.concat([metaEl(0x0001, 'OB', Buffer.from([0, 1])), metaEl(0x0010, 'UI', text(ts, '\0'))]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(meta.length);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), metaEl(0x0000, 'UL', len), meta, ds]);
}

describe('content comparison', () => {
  let dir: string;
  beforeAll(() => (dir = tempDir()));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a file and an identical copy: same', () => {
    const a = encodeDicom(base);
    expect(compareContent(a, Buffer.from(a))).toEqual({ outcome: 'same', transcoded: null, message: 'Same content' });
  });

  it('leaves out the File Meta group: another implementation, another preamble, still the same', () => {
    const a = encodeDicom(base);
    const b = patch(encodeDicom({ ...base, preamble: false }), 'SAFEKEEP_TEST', 'OTHER_ARCHIVE');
    expect(compareContent(a, b).outcome).toBe('same');
  });

  it('Implicit VR copy of an Explicit VR file (private OB becomes VR-less): same, transcoding said, pixel values compared', () => {
    const c = compareContent(encodeDicom(base), encodeDicom({ ...base, transferSyntax: 'implicit-le' }));
    expect(c).toMatchObject({ outcome: 'same', transcoded: { from: '1.2.840.10008.1.2.1', to: '1.2.840.10008.1.2', pixelData: 'compared' } });
    expect(c.message).toBe(
      'Same content; transcoded from Explicit VR Little Endian (1.2.840.10008.1.2.1) to Implicit VR Little Endian (1.2.840.10008.1.2): both uncompressed, pixel data compared value for value',
    );
  });

  it('Big Endian copy (dcmtk dcmconv +tb): binary values and pixel data byte-swapped back before comparing', () => {
    const le = path.join(dir, 'le.dcm');
    const be = path.join(dir, 'be.dcm');
    fs.writeFileSync(le, encodeDicom(base));
    execFileSync('dcmconv', ['+tb', le, be]);
    const a = fs.readFileSync(le);
    const b = fs.readFileSync(be);
    expect(compareContent(a, b)).toMatchObject({ outcome: 'same', transcoded: { to: '1.2.840.10008.1.2.2', pixelData: 'compared' } });
    // Rows (0028,0010) is a US value: 8 rows, big-endian 00 08, made 9.
    const rows = b.indexOf(Buffer.from([0x00, 0x28, 0x00, 0x10, 0x55, 0x53, 0x00, 0x02]));
    b[rows + 9] = 9;
    expect(compareContent(a, b)).toMatchObject({ outcome: 'differs', difference: { tag: '(0028,0010)', keyword: 'Rows', local: '8', retrieved: '9' } });
  });

  it('one changed attribute: the first difference named, with both values shortened', () => {
    const long = 'A'.repeat(60);
    const a = encodeDicom({ ...base, studyDescription: `${long}BEFORE` });
    const b = encodeDicom({ ...base, studyDescription: `${long}AFTER!`, patientId: 'P43' });
    const c = compareContent(a, b);
    expect(c).toMatchObject({ outcome: 'differs', difference: { tag: '(0008,1030)', keyword: 'StudyDescription', path: '' } });
    if (c.outcome !== 'differs') throw new Error('expected a difference');
    expect(c.difference.local).toBe(`"${'A'.repeat(60)}BEF…"`);
    expect(c.message).toBe(`Content differs at StudyDescription (0008,1030): local "${'A'.repeat(60)}BEF…", archive "${'A'.repeat(60)}AFT…"`);
  });

  it('an attribute missing on one side', () => {
    const c = compareContent(encodeDicom(base), encodeDicom({ ...base, modality: undefined }));
    expect(c).toMatchObject({ outcome: 'differs', difference: { tag: '(0008,0060)', keyword: 'Modality', local: '"CT"', retrieved: '(absent)' } });
  });

  it('changed pixel bytes: Pixel Data named, with where the bytes first differ', () => {
    const a = encodeDicom(base);
    const b = Buffer.from(a);
    b[b.length - 100] = b[b.length - 100]! ^ 0xff;
    const c = compareContent(a, b);
    expect(c).toMatchObject({ outcome: 'differs', difference: { tag: '(7FE0,0010)', keyword: 'PixelData' } });
    if (c.outcome !== 'differs') throw new Error('expected a difference');
    expect(c.difference.local).toBe('4096 bytes, first difference at byte 3996 (0x9c)');
    expect(c.difference.retrieved).toBe('4096 bytes, first difference at byte 3996 (0x63)');
  });

  it('a private attribute that differs is named as private', () => {
    const a = encodeDicom(base);
    const b = Buffer.from(a);
    b[b.indexOf('xxxx', 0, 'latin1')] = 0x79;
    expect(compareContent(a, b)).toMatchObject({ outcome: 'differs', difference: { tag: '(0029,1000)', keyword: null } });
    expect(compareContent(a, b).message).toMatch(/^Content differs at \(0029,1000\) \(private or unknown\): local 64 bytes, first difference at byte 0 \(0x78\)/);
  });

  it('a truncated copy from the archive: content differs where it is cut', () => {
    const a = encodeDicom(base);
    const c = compareContent(a, a.subarray(0, a.length - 1000));
    expect(c).toMatchObject({ outcome: 'differs', difference: { tag: '(7FE0,0010)', local: '4096 bytes', retrieved: 'cut short: 3096 of 4096 bytes' } });
    expect(c.message).toMatch(/\(the archive's copy: it is cut short/);
  });

  it('a truncated local file, or a copy that is not DICOM: cannot be compared, and says which side', () => {
    const a = encodeDicom(base);
    expect(compareContent(sample('MR_truncated.dcm'), sample('MR_small.dcm'))).toMatchObject({ outcome: 'unreadable', side: 'local' });
    const c = compareContent(a, Buffer.from('<html>not found</html>'));
    expect(c).toEqual({ outcome: 'unreadable', side: 'retrieved', message: "The archive's copy cannot be compared: it is not DICOM (no Part 10 signature, not a recognisable data set)" });
  });

  it('pydicom: one MR image in Explicit LE, Implicit LE and Big Endian is the same content (trailing padding left out)', () => {
    const mr = sample('MR_small.dcm');
    expect(compareContent(mr, sample('MR_small_implicit.dcm'))).toMatchObject({ outcome: 'same', transcoded: { pixelData: 'compared' } });
    expect(compareContent(mr, sample('MR_small_bigendian.dcm'))).toMatchObject({ outcome: 'same', transcoded: { pixelData: 'compared' } });
    // 32-bit dose grid: big-endian pixel values are swapped 4 bytes at a time.
    expect(compareContent(sample('rtdose_1frame.dcm'), sample('rtdose_expb_1frame.dcm')).outcome).toBe('same');
    expect(compareContent(sample('image_dfl.dcm'), sample('image_dfl.dcm')).outcome).toBe('same');
  });

  it('pydicom: a JPEG-LS copy is transcoded, said so; an attribute changed in it is still found', () => {
    const mr = sample('MR_small.dcm');
    const jls = sample('MR_small_jpeg_ls_lossless.dcm');
    const c = compareContent(mr, jls);
    expect(c).toMatchObject({ outcome: 'same', transcoded: { to: '1.2.840.10008.1.2.4.80', pixelData: 'not-compared' } });
    expect(c.message).toMatch(/transcoded from Explicit VR Little Endian \(1\.2\.840\.10008\.1\.2\.1\) to JPEG-LS Lossless \(1\.2\.840\.10008\.1\.2\.4\.80\): pixel data not compared byte for byte$/);
    const changed = compareContent(mr, patch(jls, 'CompressedSamples^MR1', 'CompressedSamples^MR2'));
    expect(changed).toMatchObject({ outcome: 'differs', difference: { keyword: 'PatientName', local: '"CompressedSamples^MR1"', retrieved: '"CompressedSamples^MR2"' } });
    expect(changed.message).toMatch(/; transcoded from .*: pixel data not compared byte for byte$/);
  });

  it('pydicom: encapsulated pixel data in the same transfer syntax is compared fragment by fragment', () => {
    const jls = sample('MR_small_jpeg_ls_lossless.dcm');
    expect(compareContent(jls, Buffer.from(jls)).outcome).toBe('same');
    const b = Buffer.from(jls);
    b[3000] = b[3000]! ^ 0x01; // inside its one fragment (bytes 1548 to 5978)
    expect(compareContent(jls, b)).toMatchObject({ outcome: 'differs', difference: { keyword: 'PixelData' } });
  });

  it('sequences are compared item by item, and the path names them (pydicom rtplan)', () => {
    const plan = sample('rtplan.dcm');
    const c = compareContent(plan, patch(plan, 'Field 1', 'Field 9'));
    expect(c).toMatchObject({ outcome: 'differs', difference: { keyword: 'BeamName', path: 'BeamSequence (300A,00B0) item 1', local: '"Field 1"', retrieved: '"Field 9"' } });
    const cut = compareContent(plan, sample('rtplan_truncated.dcm'));
    expect(cut).toMatchObject({ outcome: 'differs', difference: { keyword: 'BeamSequence', retrieved: '(absent)' } });
  });

  it('a private sequence: Explicit VR items against Implicit VR bytes compare equal; a changed value inside is found', () => {
    const uid = randomUid();
    const explicit = privateSequenceFile(true, uid);
    expect(compareContent(explicit, privateSequenceFile(false, uid))).toMatchObject({ outcome: 'same', transcoded: { to: '1.2.840.10008.1.2' } });
    const other = `${uid.slice(0, -1)}${uid.endsWith('1') ? '2' : '1'}`;
    const c = compareContent(explicit, privateSequenceFile(false, other));
    expect(c).toMatchObject({ outcome: 'differs', difference: { keyword: 'ReferencedSOPInstanceUID', path: '(0009,1001) (private or unknown) item 1' } });
  });

  it('a private sequence inside UN (pydicom UN_sequence, CP-246) and a private SQ that dcmtk rewrites as UN', () => {
    const un = sample('UN_sequence.dcm');
    const c = compareContent(un, patch(un, '1398588726.278.80', '1398588726.279.80'));
    expect(c).toMatchObject({ outcome: 'differs', difference: { keyword: 'ReferencedSOPInstanceUID' } });
    if (c.outcome !== 'differs') throw new Error('expected a difference');
    expect(c.difference.path).toBe('(4453,100C) (private or unknown) item 1 > ReferencedSeriesSequence (0008,1115) item 1 > ReferencedSOPSequence (0008,1199) item 1');
    const asUn = path.join(dir, 'priv_SQ_explicit.dcm');
    execFileSync('dcmconv', ['+te', path.join(PYDICOM, 'priv_SQ.dcm'), asUn]);
    expect(compareContent(sample('priv_SQ.dcm'), fs.readFileSync(asUn)).outcome).toBe('same');
  });

  it('dcmtk conversions of a CT with private tags (Implicit VR, Big Endian) are the same content', () => {
    for (const flag of ['+ti', '+tb']) {
      const out = path.join(dir, `ct${flag}.dcm`);
      execFileSync('dcmconv', [flag, path.join(PYDICOM, 'CT_small.dcm'), out]);
      expect(compareContent(sample('CT_small.dcm'), fs.readFileSync(out))).toMatchObject({ outcome: 'same', transcoded: { pixelData: 'compared' } });
    }
  });
});
