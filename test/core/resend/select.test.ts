import { describe, expect, it } from 'vitest';
import { selectResendable } from '../../../src-main/core/resend/select';
import { ratesOf } from '../../../src-main/core/resend/throughput';
import type { VerdictBrief } from '../../../src-main/core/store/ports';
import type { IndexedFile } from '../../../src-main/core/library/model/files';
import { DicomwebRemoteConfigSchema, DimseRemoteConfigSchema, qidoBaseOf, stowBaseOf, storageAeOf } from '../../../src-shared/remotes';

const file = (uid: string): IndexedFile => ({
  path: `/lib/${uid}`,
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  sopInstanceUid: uid,
  studyUid: '1.2.3',
  seriesUid: '1.2.3.4',
  size: 100,
  mtimeMs: 0,
  patientId: null,
  accessionNumber: null,
  studyDate: null,
});
const failed = (failureReason: number | null): VerdictBrief => ({ outcome: 'failed', failureReason, detail: null, jobId: 1 });

describe('which instances send missing stores again', () => {
  it('0112H and 0110H only; 0119H and the rest are counted with why', () => {
    const verdicts = new Map<string, VerdictBrief>([
      ['1', failed(0x0112)],
      ['2', failed(0x0110)],
      ['3', failed(0x0119)],
      ['4', failed(0x0119)],
      ['5', failed(null)],
      ['6', failed(0x0122)],
      ['7', { outcome: 'committed', failureReason: null, detail: null, jobId: 1 }],
      ['8', { outcome: 'pending', failureReason: null, detail: null, jobId: 1 }],
      ['10', { outcome: 'failed', failureReason: null, detail: 'content differs: (0010,0010) PatientName', jobId: 1 }],
    ]);
    const s = selectResendable(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].map(file), verdicts);
    expect(s.candidates.map((f) => f.sopInstanceUid)).toEqual(['1', '2']);
    expect(s.notResendable).toEqual([
      { code: 0x0119, count: 2, why: '0119H Class/Instance conflict: the archive holds a different object under that UID; not re-sent' },
      { code: null, count: 1, why: expect.stringMatching(/^failed without a Failure Reason/) },
      { code: 0x0122, count: 1, why: '0122H Referenced SOP Class not supported: storing again does not fix it; not re-sent' },
      // A content difference is not a missing object either: its own line.
      { code: null, count: 1, why: 'content differs: the archive holds a different object under that UID (compare content); not re-sent' },
    ]);
  });
});

describe('progress rates', () => {
  it('instances/s, MB/s and time left from what is done', () => {
    expect(ratesOf({ done: 0, total: 10, bytes: 0, elapsedMs: 0 })).toEqual({ instancesPerSecond: 0, megabytesPerSecond: 0, secondsLeft: null });
    expect(ratesOf({ done: 20, total: 100, bytes: 10_000_000, elapsedMs: 4000 })).toEqual({ instancesPerSecond: 5, megabytesPerSecond: 2.5, secondsLeft: 16 });
  });
});

describe('remote settings for sending and listing', () => {
  it('STOW-RS and QIDO-RS base URLs default to the base URL; the storage AE to the AE', () => {
    const web = DicomwebRemoteConfigSchema.parse({ baseUrl: 'http://a/dicomweb/' });
    expect([stowBaseOf(web), qidoBaseOf(web)]).toEqual(['http://a/dicomweb', 'http://a/dicomweb']);
    const own = DicomwebRemoteConfigSchema.parse({ baseUrl: 'http://a/dicomweb', stowBaseUrl: 'http://b/dicom-web//', qidoBaseUrl: 'https://c/q' });
    expect([stowBaseOf(own), qidoBaseOf(own)]).toEqual(['http://b/dicom-web', 'https://c/q']);
    expect(DicomwebRemoteConfigSchema.safeParse({ baseUrl: 'http://a', stowBaseUrl: 'ftp://b' }).error?.issues[0]?.message).toBe('The STOW-RS base URL must start with http:// or https://');
    const dimse = DimseRemoteConfigSchema.parse({ aeTitle: 'PACS', host: 'h', port: 104 });
    expect(storageAeOf(dimse)).toBe('PACS');
    expect(storageAeOf(DimseRemoteConfigSchema.parse({ aeTitle: 'PACS', host: 'h', port: 104, storageAeTitle: 'STORE' }))).toBe('STORE');
    expect(DimseRemoteConfigSchema.safeParse({ aeTitle: 'PACS', host: 'h', port: 104, storageAeTitle: 'A\\B' }).success).toBe(false);
  });
});
