import { describe, expect, it } from 'vitest';
import { buildNativeXml, parseNativeXml } from '../../../src-main/core/codec/native-xml';
import { buildCommitmentResponse, parseCommitmentResponse } from '../../../src-main/core/codec/response-json';
import { negotiateAccept, formatOfContentType } from '../../../src-main/core/codec/media';

describe('Native DICOM Model (XML)', () => {
  it('round-trips a commitment response with study form and failure reasons', () => {
    const result = {
      committed: [{ form: 'flat' as const, sopClassUid: '1.2.3', sopInstanceUid: '1.2.3.4' }],
      failed: [{ form: 'study' as const, studyUid: '1.5', seriesUid: '1.5.1', sopClassUid: '1.2.3', sopInstanceUid: '1.5.1.1', failureReason: 274 }],
    };
    const json = buildCommitmentResponse(result);
    const xml = buildNativeXml(json);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toContain('keyword="FailedStudySequence"');
    expect(parseNativeXml(xml)).toEqual(json);
    expect(parseCommitmentResponse(parseNativeXml(xml))).toEqual(result);
  });

  it('orders items and values by their number attribute', () => {
    const xml = `<NativeDicomModel><DicomAttribute tag="00081199" vr="SQ">
      <Item number="2"><DicomAttribute tag="00081155" vr="UI"><Value number="1">1.2</Value></DicomAttribute></Item>
      <Item number="1"><DicomAttribute tag="00081155" vr="UI"><Value number="1">1.1</Value></DicomAttribute></Item>
    </DicomAttribute></NativeDicomModel>`;
    const ds = parseNativeXml(xml) as any;
    expect(ds['00081199'].Value.map((i: any) => i['00081155'].Value[0])).toEqual(['1.1', '1.2']);
  });

  it('refuses attributes without tag or VR and non-numeric numbers', () => {
    expect(() => parseNativeXml('<NativeDicomModel><DicomAttribute vr="UI"/></NativeDicomModel>')).toThrow(/valid "tag"/);
    expect(() => parseNativeXml('<NativeDicomModel><DicomAttribute tag="00081197" vr="US"><Value number="1">x</Value></DicomAttribute></NativeDicomModel>')).toThrow(/not a number/);
  });
});

describe('media type negotiation', () => {
  it.each([
    [undefined, 'json'],
    ['*/*', 'json'],
    ['application/dicom+xml', 'xml'],
    ['application/dicom+xml;q=0.5, application/dicom+json', 'json'],
    ['text/html, application/*;q=0.1', 'json'],
    ['application/json', 'json'],
  ])('Accept %s -> %s', (accept, format) => {
    expect(negotiateAccept(accept)).toBe(format);
  });

  it('406 and 415 as typed errors', () => {
    expect(() => negotiateAccept('text/html')).toThrow(expect.objectContaining({ code: 'not-acceptable' }));
    expect(() => formatOfContentType('text/plain')).toThrow(expect.objectContaining({ code: 'unsupported-media-type' }));
    expect(formatOfContentType('application/dicom+json; charset=utf-8')).toBe('json');
  });
});
