import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUid, writeDicomFile, type WriteOptions } from './dicom-writer';

export const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
export const MR_IMAGE = '1.2.840.10008.5.1.4.1.1.4';
export const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';

export interface GeneratedInstance {
  path: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string;
  seriesUid: string;
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'safekeep-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Writes studies x series x instances real Part 10 files under `dir`
 * (one sub-folder per study and series, as exported studies usually look).
 */
export function makeLibrary(
  dir: string,
  spec: { studies: number; seriesPerStudy: number; instancesPerSeries: number; pixelBytes?: number; sopClassUid?: string; extra?: Partial<WriteOptions> },
): GeneratedInstance[] {
  const out: GeneratedInstance[] = [];
  for (let s = 0; s < spec.studies; s++) {
    const studyUid = randomUid();
    for (let r = 0; r < spec.seriesPerStudy; r++) {
      const seriesUid = randomUid();
      const folder = path.join(dir, `study${s + 1}`, `series${r + 1}`);
      fs.mkdirSync(folder, { recursive: true });
      for (let i = 0; i < spec.instancesPerSeries; i++) {
        const inst: GeneratedInstance = {
          path: path.join(folder, `IM${String(i + 1).padStart(5, '0')}`),
          sopClassUid: spec.sopClassUid ?? CT_IMAGE,
          sopInstanceUid: randomUid(),
          studyUid,
          seriesUid,
        };
        writeDicomFile(inst.path, {
          ...inst,
          patientName: `TEST^PATIENT${s + 1}`,
          patientId: `PID${s + 1}`,
          studyDate: '20260101',
          studyDescription: `Study ${s + 1}`,
          modality: 'CT',
          seriesNumber: r + 1,
          seriesDescription: `Series ${r + 1}`,
          instanceNumber: i + 1,
          pixelBytes: spec.pixelBytes ?? 512,
          ...spec.extra,
        });
        out.push(inst);
      }
    }
  }
  return out;
}
