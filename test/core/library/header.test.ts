import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkComplete, readDicomHeader, type HeaderReadOk, type HeaderReadResult } from '../../../src-main/core/library/header';
import { encodeDicom, randomUid, writeDicomFile, type WriteOptions } from '../../support/dicom-writer';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-header-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
let counter = 0;

function base(extra: Partial<WriteOptions> = {}): WriteOptions {
  return {
    sopClassUid: CT_IMAGE,
    sopInstanceUid: randomUid(),
    studyUid: randomUid(),
    seriesUid: randomUid(),
    patientName: 'Doe^Jane',
    patientId: 'PID-42',
    studyDate: '20240131',
    studyDescription: 'CT Chest',
    accessionNumber: 'ACC1',
    modality: 'CT',
    seriesNumber: 3,
    seriesDescription: 'Axial 1mm',
    instanceNumber: 17,
    ...extra,
  };
}

function file(content: Buffer | string): string {
  const p = path.join(dir, `f${++counter}.dcm`);
  fs.writeFileSync(p, content);
  return p;
}

function write(o: WriteOptions): string {
  const p = path.join(dir, `f${++counter}.dcm`);
  writeDicomFile(p, o);
  return p;
}

function ok(r: HeaderReadResult): HeaderReadOk {
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}: ${r.message}`);
  return r;
}

function expectHeaderMatches(r: HeaderReadOk, o: WriteOptions, ts: string): void {
  expect(r.header).toEqual({
    sopClassUid: o.sopClassUid,
    sopInstanceUid: o.sopInstanceUid,
    studyUid: o.studyUid,
    seriesUid: o.seriesUid,
    transferSyntaxUid: ts,
    patientName: o.patientName ?? null,
    patientId: o.patientId ?? null,
    studyDate: o.studyDate ?? null,
    studyDescription: o.studyDescription ?? null,
    accessionNumber: o.accessionNumber ?? null,
    modality: o.modality ?? null,
    seriesNumber: o.seriesNumber ?? null,
    seriesDescription: o.seriesDescription ?? null,
    instanceNumber: o.instanceNumber ?? null,
  });
}

describe('readDicomHeader: generated files', () => {
  it('reads explicit VR little endian with preamble', () => {
    const o = base({ pixelBytes: 2048 });
    const p = write(o);
    const r = ok(readDicomHeader(p));
    expectHeaderMatches(r, o, '1.2.840.10008.1.2.1');
    expect(r.fileSize).toBe(fs.statSync(p).size);
    expect(r.pixelDataLength).toBe(2048);
    expect(r.pixelDataOffset).toBe(r.fileSize - 2048);
    expect(r.bytesRead).toBe(r.fileSize); // smaller than the initial read
    expect(checkComplete(r)).toEqual({ complete: true });
  });

  it('reads a file without preamble (DICM at offset 0) and reports real file offsets', () => {
    const o = base({ preamble: false, pixelBytes: 20000 });
    const p = write(o);
    const r = ok(readDicomHeader(p));
    expectHeaderMatches(r, o, '1.2.840.10008.1.2.1');
    expect(fs.readFileSync(p).toString('latin1', 0, 4)).toBe('DICM');
    expect(r.pixelDataOffset).toBe(r.fileSize - 20000);
    expect(r.bytesRead).toBe(8192);
    expect(checkComplete(r)).toEqual({ complete: true });
  });

  it('reads a file that starts directly with the File Meta group (no preamble, no DICM)', () => {
    const o = base({ pixelBytes: 1000 });
    const p = file(encodeDicom(o).subarray(132));
    const r = ok(readDicomHeader(p));
    expectHeaderMatches(r, o, '1.2.840.10008.1.2.1');
    expect(r.pixelDataOffset).toBe(r.fileSize - 1000);
  });

  it('reads a raw data set without File Meta (implicit VR little endian)', () => {
    const o = base({ transferSyntax: 'implicit-le', pixelBytes: 512 });
    const full = encodeDicom(o);
    const metaEnd = full.indexOf(Buffer.from([0x08, 0x00, 0x16, 0x00]), 132);
    const p = file(full.subarray(metaEnd));
    const r = ok(readDicomHeader(p));
    expectHeaderMatches(r, o, '1.2.840.10008.1.2');
    expect(r.pixelDataOffset).toBe(r.fileSize - 512);
  });

  it('reads a raw data set without File Meta (explicit VR little endian)', () => {
    const o = base({ pixelBytes: 512 });
    const full = encodeDicom(o);
    const metaEnd = full.indexOf(Buffer.from('080016005549', 'hex'), 132);
    const r = ok(readDicomHeader(file(full.subarray(metaEnd))));
    expectHeaderMatches(r, o, '1.2.840.10008.1.2.1');
  });

  it('reads implicit VR little endian', () => {
    const o = base({ transferSyntax: 'implicit-le', pixelBytes: 4096 });
    const p = write(o);
    const r = ok(readDicomHeader(p));
    expectHeaderMatches(r, o, '1.2.840.10008.1.2');
    expect(r.pixelDataLength).toBe(4096);
    expect(r.pixelDataOffset).toBe(r.fileSize - 4096);
    expect(checkComplete(r)).toEqual({ complete: true });
  });

  it('reads explicit VR big endian', () => {
    const o = base({ transferSyntax: 'explicit-be', pixelBytes: 4096 });
    const p = write(o);
    const r = ok(readDicomHeader(p));
    expectHeaderMatches(r, o, '1.2.840.10008.1.2.2');
    expect(r.pixelDataLength).toBe(4096);
    expect(r.pixelDataOffset).toBe(r.fileSize - 4096);
  });

  it('decodes UTF-8 names when Specific Character Set is ISO_IR 192', () => {
    const o = base({ patientName: 'Müller^Zoë' });
    const r = ok(readDicomHeader(write(o)));
    expect(r.header.patientName).toBe('Müller^Zoë');
  });

  it('returns null for absent optional attributes', () => {
    const o: WriteOptions = { sopClassUid: CT_IMAGE, sopInstanceUid: randomUid(), studyUid: randomUid(), seriesUid: randomUid() };
    const r = ok(readDicomHeader(write(o)));
    expectHeaderMatches(r, o, '1.2.840.10008.1.2.1');
    expect(r.pixelDataOffset).toBeNull();
    expect(r.pixelDataLength).toBeNull();
    expect(checkComplete(r)).toEqual({ complete: true });
  });

  it('falls back to the File Meta SOP Class/Instance UIDs', () => {
    const o = base();
    const buf = encodeDicom(o);
    // Re-tag (0008,0016) and (0008,0018) in the data set as (0008,0017)/(0008,0019): only the meta copies remain.
    for (const e of [0x16, 0x18]) {
      const at = buf.indexOf(Buffer.from([0x08, 0x00, e, 0x00, 0x55, 0x49]), 132);
      buf[at + 2] = e + 1;
    }
    const r = ok(readDicomHeader(file(buf)));
    expect(r.header.sopClassUid).toBe(o.sopClassUid);
    expect(r.header.sopInstanceUid).toBe(o.sopInstanceUid);
  });

  it('grows the read for a large header but stops at Pixel Data', () => {
    const o = base({ padHeaderBytes: 40000, pixelBytes: 1 << 20 });
    const p = write(o);
    const r = ok(readDicomHeader(p));
    expectHeaderMatches(r, o, '1.2.840.10008.1.2.1');
    expect(r.bytesRead).toBeGreaterThan(40000);
    expect(r.bytesRead).toBe(65536); // 8 KB doubled three times
    expect(r.bytesRead).toBeLessThan(r.fileSize / 10);
    expect(r.pixelDataOffset).toBe(r.fileSize - (1 << 20));
  });

  it('grows the read for a large implicit VR header (dicom-parser stops silently there)', () => {
    const o = base({ transferSyntax: 'implicit-le', padHeaderBytes: 40000, pixelBytes: 1 << 20 });
    const r = ok(readDicomHeader(write(o)));
    expectHeaderMatches(r, o, '1.2.840.10008.1.2');
    expect(r.bytesRead).toBe(65536);
  });

  it('honours initialBytes', () => {
    const o = base({ pixelBytes: 1 << 16 });
    const p = write(o);
    const r = ok(readDicomHeader(p, { initialBytes: 256 }));
    expectHeaderMatches(r, o, '1.2.840.10008.1.2.1');
    expect(r.bytesRead).toBeLessThan(2048);
  });

  it('reads less than 10% of an image file', () => {
    const o = base({ pixelBytes: 512 * 1024 });
    const p = write(o);
    const r = ok(readDicomHeader(p));
    expect(r.bytesRead).toBe(8192);
    expect(r.bytesRead).toBeLessThan(r.fileSize * 0.1);
    expect(checkComplete(r)).toEqual({ complete: true });
  });

  it('reports a text file as not-dicom', () => {
    const r = readDicomHeader(file('hello, this is not DICOM\n'.repeat(20)));
    expect(r).toMatchObject({ ok: false, reason: 'not-dicom' });
  });

  it('reports an empty file as not-dicom', () => {
    const r = readDicomHeader(file(''));
    expect(r).toMatchObject({ ok: false, reason: 'not-dicom', message: 'Empty file', bytesRead: 0, fileSize: 0 });
  });

  it('reports a file cut inside its header as truncated', () => {
    const full = encodeDicom(base({ pixelBytes: 4096 }));
    const studyAt = full.indexOf(Buffer.from([0x20, 0x00, 0x0d, 0x00]), 132);
    for (const cut of [140, studyAt + 10]) {
      const r = readDicomHeader(file(full.subarray(0, cut)));
      expect(r).toMatchObject({ ok: false, reason: 'truncated', fileSize: cut });
    }
  });

  it('reports an implicit VR file cut inside its header as truncated', () => {
    const full = encodeDicom(base({ transferSyntax: 'implicit-le', pixelBytes: 4096 }));
    const seriesAt = full.indexOf(Buffer.from([0x20, 0x00, 0x0e, 0x00]), 132);
    const r = readDicomHeader(file(full.subarray(0, seriesAt + 12)));
    expect(r).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('detects a large header cut short without reading the whole file', () => {
    const full = encodeDicom(base({ padHeaderBytes: 200000, pixelBytes: 1 << 20 }));
    const p = file(full.subarray(0, 150000)); // cut inside the padding element
    const r = readDicomHeader(p);
    expect(r).toMatchObject({ ok: false, reason: 'truncated', fileSize: 150000 });
    expect(r.bytesRead).toBe(8192); // the element's declared length already runs past the end
  });

  it('reads the header of a file cut inside Pixel Data but checkComplete fails', () => {
    const o = base({ pixelBytes: 100000 });
    const full = encodeDicom(o);
    const p = file(full.subarray(0, full.length - 30000));
    const r = ok(readDicomHeader(p));
    expectHeaderMatches(r, o, '1.2.840.10008.1.2.1');
    expect(r.pixelDataLength).toBe(100000);
    expect(checkComplete(r)).toEqual({
      complete: false,
      message: 'Pixel Data truncated: declares 100000 bytes, the file has 70000',
    });
  });

  it('reports a data set encoded in implicit VR under an explicit VR transfer syntax as unsupported', () => {
    const o = base({ pixelBytes: 64 });
    const dataSetStart = (b: Buffer) => 144 + b.readUInt32LE(140); // after (0002,0000) group length
    const explicit = encodeDicom(o);
    const implicit = encodeDicom({ ...o, transferSyntax: 'implicit-le' });
    const mixed = Buffer.concat([explicit.subarray(0, dataSetStart(explicit)), implicit.subarray(dataSetStart(implicit))]);
    const r = readDicomHeader(file(mixed));
    expect(r).toMatchObject({
      ok: false,
      reason: 'unsupported',
      message: 'Transfer Syntax 1.2.840.10008.1.2.1 says explicit VR but the data set is encoded in implicit VR',
    });
  });

  it.each(['sopClassUid', 'sopInstanceUid', 'studyUid', 'seriesUid'] as const)('reports missing %s', (key) => {
    const label = {
      sopClassUid: 'Missing SOP Class UID (0008,0016)',
      sopInstanceUid: 'Missing SOP Instance UID (0008,0018)',
      studyUid: 'Missing Study Instance UID (0020,000D)',
      seriesUid: 'Missing Series Instance UID (0020,000E)',
    }[key];
    const r = readDicomHeader(write(base({ omit: [key], pixelBytes: 64 })));
    expect(r).toMatchObject({ ok: false, reason: 'missing-uid', message: label });
  });

  it('reports an invalid UID with attribute and value', () => {
    const r = readDicomHeader(write(base({ studyUid: '1.2.03.4' })));
    expect(r).toMatchObject({ ok: false, reason: 'invalid-uid' });
    expect(!r.ok && r.message).toBe('Invalid Study Instance UID (0020,000D) "1.2.03.4": has a component with a leading zero');
    const r2 = readDicomHeader(write(base({ sopInstanceUid: '1.2.abc' })));
    expect(r2).toMatchObject({ ok: false, reason: 'invalid-uid' });
    expect(!r2.ok && r2.message).toContain('SOP Instance UID (0008,0018) "1.2.abc"');
  });

  it('reports a directory and a missing path as unreadable', () => {
    const d = readDicomHeader(dir);
    expect(d).toMatchObject({ ok: false, reason: 'unreadable', bytesRead: 0 });
    expect(!d.ok && d.message).toMatch(/EISDIR/);
    const m = readDicomHeader(path.join(dir, 'does-not-exist.dcm'));
    expect(m).toMatchObject({ ok: false, reason: 'unreadable', bytesRead: 0, fileSize: 0 });
    expect(!m.ok && m.message).toMatch(/ENOENT/);
  });

  it('handles encapsulated pixel data, complete and with the final delimiter cut off', () => {
    const o = base({ encapsulatedFragments: [30000, 20001] });
    const p = write(o);
    const r = ok(readDicomHeader(p));
    expectHeaderMatches(r, o, '1.2.840.10008.1.2.4.50');
    expect(r.pixelDataLength).toBeNull();
    expect(r.pixelDataOffset).toBeGreaterThan(300);
    expect(r.bytesRead).toBe(8192 + 8); // the header, and the file's last 8 bytes (the delimiter)
    expect(checkComplete(r)).toEqual({ complete: true });

    const cut = file(fs.readFileSync(p).subarray(0, r.fileSize - 8));
    const rc = ok(readDicomHeader(cut));
    expect(rc.header.sopInstanceUid).toBe(o.sopInstanceUid);
    const c = checkComplete(rc);
    expect(c.complete).toBe(false);
    expect(!c.complete && c.message).toMatch(/Sequence Delimitation Item/);
  });

  it('writes valid random UIDs', () => {
    for (let i = 0; i < 100; i++) expect(randomUid()).toMatch(/^2\.25\.(0|[1-9][0-9]*)$/);
    expect(randomUid().length).toBeLessThanOrEqual(44);
  });
});

// Sample files shipped by Debian's python3-pydicom. Expected values were read once with
// pydicom.dcmread(p, force=True) and hard-coded here.
const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const sample = (name: string) => path.join(PYDICOM, name);

describe('readDicomHeader: pydicom sample files', () => {
  const MR = {
    sopClassUid: '1.2.840.10008.5.1.4.1.1.4',
    sopInstanceUid: '1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457',
    studyUid: '1.3.6.1.4.1.5962.1.2.4.20040826185059.5457',
    seriesUid: '1.3.6.1.4.1.5962.1.3.4.1.20040826185059.5457',
    patientName: 'CompressedSamples^MR1',
    patientId: '4MR1',
    modality: 'MR',
    studyDate: '20040826',
    seriesNumber: 1,
    instanceNumber: 1,
    accessionNumber: null,
  };
  const RT_NO_META = {
    sopClassUid: '1.2.840.10008.5.1.4.1.1.481.8',
    sopInstanceUid: '1.2.333.4444.5.6.7.8',
    studyUid: '1.2.333.4444.5.6.7.8.9',
    seriesUid: '1.2.333.4444.5.6.7.8.99',
    modality: 'RTPLAN',
    studyDate: '20150515',
    seriesNumber: 1,
    instanceNumber: 1,
    patientName: null,
  };

  it('CT_small.dcm (explicit LE)', () => {
    const p = sample('CT_small.dcm');
    const r = ok(readDicomHeader(p));
    expect(r.header).toEqual({
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      sopInstanceUid: '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322',
      studyUid: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322',
      seriesUid: '1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322',
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      patientName: 'CompressedSamples^CT1',
      patientId: '1CT1',
      studyDate: '20040119',
      studyDescription: 'e+1',
      accessionNumber: null,
      modality: 'CT',
      seriesNumber: 1,
      seriesDescription: null,
      instanceNumber: 1,
    });
    expect(r.pixelDataLength).toBe(128 * 128 * 2);
    expect(r.pixelDataOffset! + r.pixelDataLength!).toBe(39068); // 138 bytes of other elements follow
    expect(r.bytesRead).toBeLessThan(r.fileSize);
    expect(checkComplete(r)).toEqual({ complete: true });
  });

  it('MR_small_bigendian.dcm (explicit BE)', () => {
    const r = ok(readDicomHeader(sample('MR_small_bigendian.dcm')));
    expect(r.header).toMatchObject({ ...MR, transferSyntaxUid: '1.2.840.10008.1.2.2' });
    expect(r.pixelDataLength).toBe(64 * 64 * 2);
    expect(checkComplete(r)).toEqual({ complete: true });
  });

  it('MR_small_implicit.dcm (implicit LE)', () => {
    const r = ok(readDicomHeader(sample('MR_small_implicit.dcm')));
    expect(r.header).toMatchObject({ ...MR, transferSyntaxUid: '1.2.840.10008.1.2' });
    expect(r.pixelDataOffset! + r.pixelDataLength!).toBe(r.fileSize);
  });

  it('ExplVR_LitEndNoMeta.dcm (raw explicit LE data set)', () => {
    const r = ok(readDicomHeader(sample('ExplVR_LitEndNoMeta.dcm')));
    expect(r.header).toMatchObject({ ...RT_NO_META, transferSyntaxUid: '1.2.840.10008.1.2.1' });
    expect(r.bytesRead).toBe(r.fileSize);
  });

  it('ExplVR_LitEndNoMeta.dcm cut short: without File Meta a broken data set is not recognisable', () => {
    const r = readDicomHeader(file(fs.readFileSync(sample('ExplVR_LitEndNoMeta.dcm')).subarray(0, 200)));
    expect(r).toMatchObject({ ok: false, reason: 'not-dicom', bytesRead: 200 });
    expect(!r.ok && r.message).toMatch(/^No File Meta and no transfer syntax fits the data set/);
  });

  it('ExplVR_BigEndNoMeta.dcm (raw explicit BE data set)', () => {
    const r = ok(readDicomHeader(sample('ExplVR_BigEndNoMeta.dcm')));
    expect(r.header).toMatchObject({ ...RT_NO_META, transferSyntaxUid: '1.2.840.10008.1.2.2' });
  });

  it('no_meta.dcm is not handled: its first byte is misaligned (pydicom finds no UIDs either)', () => {
    const r = readDicomHeader(sample('no_meta.dcm'));
    expect(r).toMatchObject({ ok: false, reason: 'not-dicom' });
  });

  it('image_dfl.dcm (deflated explicit LE, read whole)', () => {
    const p = sample('image_dfl.dcm');
    const r = ok(readDicomHeader(p));
    expect(r.header).toMatchObject({
      sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
      sopInstanceUid: '1.3.6.1.4.1.5962.1.1.0.0.0.977067309.6001.0',
      studyUid: '1.3.6.1.4.1.5962.1.2.0.977067310.6001.0',
      seriesUid: '1.3.6.1.4.1.5962.1.3.0.0.977067310.6001.0',
      transferSyntaxUid: '1.2.840.10008.1.2.1.99',
      patientName: '^^^^',
      patientId: null,
      modality: 'OT',
      studyDate: null,
    });
    expect(r.bytesRead).toBe(r.fileSize);
    expect(r.pixelDataOffset).toBeNull();
    expect(checkComplete(r)).toEqual({ complete: true });
  });

  it('image_dfl.dcm cut short is truncated', () => {
    const r = readDicomHeader(file(fs.readFileSync(sample('image_dfl.dcm')).subarray(0, 3000)));
    expect(r).toMatchObject({ ok: false, reason: 'truncated', bytesRead: 3000 });
  });

  it('JPEG2000.dcm (encapsulated)', () => {
    const p = sample('JPEG2000.dcm');
    const r = ok(readDicomHeader(p));
    expect(r.header).toMatchObject({
      sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
      sopInstanceUid: '1.3.6.1.4.1.5962.1.1.8.1.3.20040826185059.5457',
      studyUid: '1.3.6.1.4.1.5962.1.2.8.20040826185059.5457',
      seriesUid: '1.3.6.1.4.1.5962.1.3.8.1.20040826185059.5457',
      transferSyntaxUid: '1.2.840.10008.1.2.4.91',
      patientName: 'CompressedSamples^NM1',
      patientId: '8NM1',
      modality: 'NM',
      studyDescription: 'Whole Body Bone',
      instanceNumber: 3,
    });
    expect(r.pixelDataLength).toBeNull();
    expect(checkComplete(r)).toEqual({ complete: true });
  });

  it('MR_truncated.dcm: header reads, Pixel Data is incomplete', () => {
    const p = sample('MR_truncated.dcm');
    const r = ok(readDicomHeader(p));
    expect(r.header).toMatchObject({ ...MR, transferSyntaxUid: '1.2.840.10008.1.2.1' });
    expect(r.pixelDataLength).toBe(64 * 64 * 2);
    const c = checkComplete(r);
    expect(c.complete).toBe(false);
    expect(!c.complete && c.message).toMatch(/^Pixel Data truncated: declares 8192 bytes, the file has \d+$/);
  });

  it('rtplan.dcm (implicit LE, no Pixel Data: read whole)', () => {
    const p = sample('rtplan.dcm');
    const r = ok(readDicomHeader(p));
    expect(r.header).toMatchObject({
      sopClassUid: '1.2.840.10008.5.1.4.1.1.481.5',
      sopInstanceUid: '1.2.777.777.77.7.7777.7777.20030903150023',
      studyUid: '1.22.333.4.555555.6.7777777777777777777777777777',
      seriesUid: '1.2.333.444.55.6.7777.8888',
      transferSyntaxUid: '1.2.840.10008.1.2',
      patientName: 'Last^First^mid^pre',
      patientId: 'id00001',
      modality: 'RTPLAN',
      studyDate: '20030716',
      seriesNumber: 2,
      instanceNumber: null,
    });
    expect(r.pixelDataOffset).toBeNull();
    expect(r.bytesRead).toBe(r.fileSize);
    expect(checkComplete(r)).toEqual({ complete: true });
  });
});
