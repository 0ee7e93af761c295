/** Shared bits of the C-STORE / C-FIND / C-GET tests against Orthanc (not a test file itself). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataSetStart } from '../../../src-main/core/dimse/part10-source';
import { readDicomHeader } from '../../../src-main/core/library/header';
import type { StoreItem } from '../../../src-main/core/dimse/store-scu';
import { encodeDicom, TS, type WriteOptions } from '../../support/dicom-writer';
import type { GeneratedInstance } from '../../support/fixtures';
import { orthancInstanceId, type OrthancHandle } from '../../support/orthanc';

export const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
/** pydicom samples: JPEG Baseline and JPEG 2000 Secondary Capture, a real CT in explicit VR LE. */
export const JPEG_BASELINE_FILE = {
  path: path.join(PYDICOM_FILES, 'SC_rgb_jpeg_dcmtk.dcm'),
  sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
  sopInstanceUid: '1.2.276.0.7230010.3.1.4.8323329.15150.1506363677.126194',
  transferSyntaxUid: '1.2.840.10008.1.2.4.50',
};
export const JPEG_2000_FILE = {
  path: path.join(PYDICOM_FILES, 'JPEG2000.dcm'),
  sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
  sopInstanceUid: '1.3.6.1.4.1.5962.1.1.8.1.3.20040826185059.5457',
  transferSyntaxUid: '1.2.840.10008.1.2.4.91',
};
export const MR_BIG_ENDIAN_FILE = {
  path: path.join(PYDICOM_FILES, 'MR_small_bigendian.dcm'),
  sopClassUid: '1.2.840.10008.5.1.4.1.1.4',
  sopInstanceUid: '1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457',
  transferSyntaxUid: '1.2.840.10008.1.2.2',
};
export const CT_SMALL_FILE = {
  path: path.join(PYDICOM_FILES, 'CT_small.dcm'),
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  sopInstanceUid: '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322',
  transferSyntaxUid: '1.2.840.10008.1.2.1',
};

export function itemsOf(instances: GeneratedInstance[], transferSyntaxUid: string = TS.explicitLE): StoreItem[] {
  return instances.map((i) => ({ path: i.path, sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, transferSyntaxUid }));
}

/** The data set of a Part 10 file or buffer: the bytes after its File Meta. */
export function dataSetOf(fileOrBytes: string | Buffer): Buffer {
  const b = typeof fileOrBytes === 'string' ? fs.readFileSync(fileOrBytes) : fileOrBytes;
  const start = dataSetStart(b, b.length);
  if (start === 'more') throw new Error('File Meta runs past the end');
  return b.subarray(start);
}

export { orthancInstanceId };

/** The Part 10 file Orthanc stored for an instance. */
export async function orthancFile(orthanc: OrthancHandle, sopInstanceUid: string): Promise<Buffer> {
  const id = await orthancInstanceId(orthanc, sopInstanceUid);
  if (!id) throw new Error(`Orthanc does not hold ${sopInstanceUid}`);
  const res = await fetch(`${orthanc.url}/instances/${id}/file`);
  if (!res.ok) throw new Error(`GET /instances/${id}/file -> ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

export async function orthancSopInstanceUids(orthanc: OrthancHandle): Promise<string[]> {
  const all = await orthanc.rest<Array<{ MainDicomTags: { SOPInstanceUID: string } }>>('GET', '/instances?expand');
  return all.map((i) => i.MainDicomTags.SOPInstanceUID).sort();
}

/**
 * A file whose File Meta names the SOP Instance UID but whose data set lacks (0008,0018): the index
 * (which falls back to the meta) accepts it; an archive cannot file the data set it receives.
 */
export function writeFileWithoutInstanceUidInDataSet(file: string, o: WriteOptions): void {
  const full = encodeDicom(o);
  const meta = full.subarray(0, dataSetStart(full, full.length) as number);
  fs.writeFileSync(file, Buffer.concat([meta, dataSetOf(encodeDicom({ ...o, omit: ['sopInstanceUid'] }))]));
}

/** The value of Pixel Data (7FE0,0010) of a Part 10 file or buffer, to the end of the file (it is the last element). */
export function pixelDataOf(fileOrBytes: string | Buffer): Buffer {
  let file = fileOrBytes;
  if (Buffer.isBuffer(fileOrBytes)) {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-px-')), 'x.dcm');
    fs.writeFileSync(file, fileOrBytes);
  }
  const r = readDicomHeader(file as string);
  if (!r.ok || r.pixelDataOffset === null) throw new Error(`no Pixel Data found in ${String(file)}`);
  const bytes = fs.readFileSync(file as string);
  if (Buffer.isBuffer(fileOrBytes)) fs.rmSync(path.dirname(file as string), { recursive: true, force: true });
  return bytes.subarray(r.pixelDataOffset, r.pixelDataLength === null ? bytes.length : r.pixelDataOffset + r.pixelDataLength);
}
