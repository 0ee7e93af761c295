import { describe, expect, it } from 'vitest';
import { Tag } from '../../../src-shared/dicom/tags';
import type { RequestedInstance } from '../../../src-shared/commitment/model';
import { buildCommitmentRequest, parseCommitmentRequest } from '../../../src-main/core/codec/request-json';
import { buildCommitmentResponse, commitmentResponseJsonText, parseCommitmentResponse } from '../../../src-main/core/codec/response-json';
import { PayloadError } from '../../../src-main/core/codec/payload-error';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';

const flat = (n: number): RequestedInstance[] =>
  Array.from({ length: n }, (_, i) => ({ form: 'flat', sopClassUid: i % 2 ? MR : CT, sopInstanceUid: `1.2.3.${i + 1}` }));
const study = (studyN: number, seriesN: number, per: number): RequestedInstance[] => {
  const out: RequestedInstance[] = [];
  for (let s = 1; s <= studyN; s++)
    for (let r = 1; r <= seriesN; r++)
      for (let i = 1; i <= per; i++)
        out.push({ form: 'study', studyUid: `1.9.${s}`, seriesUid: `1.9.${s}.${r}`, sopClassUid: i % 2 ? MR : CT, sopInstanceUid: `1.9.${s}.${r}.${i}` });
  return out;
};

describe('Storage Commitment request (DICOM JSON)', () => {
  it('round-trips the flat and the study form, in one request', () => {
    const refs = [...flat(3), ...study(2, 2, 3)];
    const json = buildCommitmentRequest(refs);
    expect(Object.keys(json).sort()).toEqual([Tag.ReferencedSOPSequence, Tag.ReferencedStudySequence].sort());
    // Grouped: 2 studies, each 2 series, each with one item per SOP class.
    const studies = json[Tag.ReferencedStudySequence]!.Value as any[];
    expect(studies).toHaveLength(2);
    expect(studies[0][Tag.ReferencedSeriesSequence].Value[0][Tag.ReferencedInstancesBySOPClassSequence].Value).toHaveLength(2);
    const parsed = parseCommitmentRequest(JSON.parse(JSON.stringify(json)));
    expect(new Set(parsed.instances.map((i) => JSON.stringify(i)))).toEqual(new Set(refs.map((i) => JSON.stringify(i))));
  });

  it('accepts a one-element array and lower-case tags', () => {
    const json = buildCommitmentRequest(flat(1));
    expect(parseCommitmentRequest([json]).instances).toHaveLength(1);
    const lower = { '00081199': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: [CT] }, '00081155': { vr: 'UI', Value: ['1.2'] } }] } };
    expect(parseCommitmentRequest(lower).instances[0]!.sopInstanceUid).toBe('1.2');
  });

  it('names the attribute and its position in every error', () => {
    const json = buildCommitmentRequest(study(1, 2, 2)) as any;
    json[Tag.ReferencedStudySequence].Value[0][Tag.ReferencedSeriesSequence].Value[1][Tag.ReferencedInstancesBySOPClassSequence].Value[0][
      Tag.ReferencedInstanceSequence
    ].Value[0][Tag.ReferencedSOPInstanceUID].Value = ['1.2.x'];
    try {
      parseCommitmentRequest(json);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PayloadError);
      expect((e as PayloadError).attribute).toBe(
        'ReferencedStudySequence (0008,1110) item 1 > ReferencedSeriesSequence (0008,1115) item 2 > ' +
          'ReferencedInstancesBySOPClassSequence (0008,1112) item 1 > ReferencedInstanceSequence (0008,114A) item 1 > ' +
          'ReferencedSOPInstanceUID (0008,1155)',
      );
      expect((e as PayloadError).httpStatus).toBe(400);
    }
  });

  it('refuses an instance listed in both forms', () => {
    const a = flat(1)[0]!;
    const json = buildCommitmentRequest([a, { ...a, form: 'study', studyUid: '1.5', seriesUid: '1.5.1' }]);
    expect(() => parseCommitmentRequest(json)).toThrow(/listed more than once/);
  });
});

describe('Storage Commitment response (DICOM JSON)', () => {
  it('mirrors the forms of the request and omits empty sequences', () => {
    const committed = flat(2);
    const r = buildCommitmentResponse({ committed, failed: [] });
    expect(Object.keys(r)).toEqual([Tag.ReferencedSOPSequence]);
    const s = study(1, 1, 2);
    const r2 = buildCommitmentResponse({ committed: [], failed: s.map((i) => ({ ...i, failureReason: 0x0112 })) });
    expect(Object.keys(r2)).toEqual([Tag.FailedStudySequence]);
  });

  it('round-trips committed and failed instances of both forms', () => {
    const f = flat(4);
    const s = study(2, 1, 2);
    const result = {
      committed: [f[0]!, f[1]!, s[0]!, s[1]!],
      failed: [
        { ...f[2]!, failureReason: 0x0112 },
        { ...f[3]!, failureReason: 0x0119 },
        { ...s[2]!, failureReason: 0x0110 },
        { ...s[3]!, failureReason: 0x0213 },
      ],
    };
    const parsed = parseCommitmentResponse(JSON.parse(JSON.stringify(buildCommitmentResponse(result))));
    expect(parsed).toEqual(result);
  });

  it('requires a Failure Reason in every failed item', () => {
    const json = buildCommitmentResponse({ committed: [], failed: [{ ...flat(1)[0]!, failureReason: 0x0112 }] }) as any;
    delete json[Tag.FailedSOPSequence].Value[0][Tag.FailureReason];
    expect(() => parseCommitmentResponse(json)).toThrow(/FailedSOPSequence \(0008,1198\) item 1 > FailureReason \(0008,1197\): is missing/);
  });
});

describe('the direct JSON writer of the response', () => {
  it('writes exactly what JSON.stringify of the tree gives, for every mix of forms and outcomes', () => {
    const cases = [
      { committed: flat(3), failed: [] },
      { committed: [], failed: flat(2).map((i, k) => ({ ...i, failureReason: [0x0112, 0x0119][k]! })) },
      { committed: study(2, 2, 3), failed: study(1, 1, 2).map((i) => ({ ...i, sopInstanceUid: `${i.sopInstanceUid}.9`, failureReason: 0x0110 })) },
      { committed: [...flat(2), ...study(1, 2, 2)], failed: [{ ...flat(1)[0]!, sopInstanceUid: '1.8', failureReason: 0x0213 }] },
      { committed: [], failed: [] },
    ];
    for (const result of cases) {
      expect(commitmentResponseJsonText(result)).toBe(JSON.stringify(buildCommitmentResponse(result)));
    }
  });
});
