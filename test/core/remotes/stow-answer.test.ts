import { describe, expect, it } from 'vitest';
import { explanationOf } from '../../../src-main/core/remotes/dicomweb-errors';
import { readStowAnswer } from '../../../src-main/core/remotes/stow-answer';
import { describeStoreStatus, storeFailureIsTransient } from '../../../src-shared/dicom/store-status';

const item = (uid: string, extra: object = {}) => ({ '00081150': { vr: 'UI', Value: ['1.2.3'] }, '00081155': { vr: 'UI', Value: [uid] }, ...extra });

describe('reading a Store Instances Response Module', () => {
  it('a one-element array, codes sent as hex or decimal strings, a failed item without UID', () => {
    const body = JSON.stringify([
      {
        '00081198': {
          vr: 'SQ',
          Value: [item('1.1', { '00081197': { vr: 'US', Value: ['A700'] } }), item('1.2', { '00081197': { vr: 'US', Value: ['49152'] } }), { '00081197': { vr: 'US', Value: [272] } }],
        },
        '00081199': { vr: 'SQ', Value: [item('1.3', { '00081196': { vr: 'US', Value: ['0xB007'] } })] },
      },
    ]);
    const r = readStowAnswer(Buffer.from(body));
    if ('problem' in r) throw new Error(r.problem);
    expect(r.failed.get('1.1')?.code).toBe(0xa700);
    expect(r.failed.get('1.2')?.code).toBe(0xc000);
    expect(r.stored.get('1.3')).toEqual({ sopInstanceUid: '1.3', sopClassUid: '1.2.3', code: 0xb007 });
    expect(r.failedWithoutUid).toBe(1);
  });

  it('says why an answer cannot be read', () => {
    expect(readStowAnswer(Buffer.alloc(0))).toEqual({ problem: 'the answer has an empty body' });
    expect(readStowAnswer(Buffer.from('Stored!'))).toEqual({ problem: 'the answer is neither DICOM JSON nor DICOM XML' });
    expect(readStowAnswer(Buffer.from('{"00081190":{"vr":"UR"}}'))).toEqual({ problem: 'the answer has neither a ReferencedSOPSequence nor a FailedSOPSequence' });
    expect(readStowAnswer(Buffer.from('[1,2]'))).toEqual({ problem: 'the answer is not a DICOM JSON object' });
  });
});

describe('store statuses in words', () => {
  it('ranges and exact codes of PS3.18 Table I.2-2 and PS3.4 Table B.2-1', () => {
    expect(describeStoreStatus(0xa7ff)).toBe('A7FFH Refused: out of resources');
    expect(describeStoreStatus(0xa950)).toBe('A950H Data set does not match SOP Class');
    expect(describeStoreStatus(0xc0ff)).toBe('C0FFH Cannot understand');
    expect(describeStoreStatus(0xb006)).toBe('B006H Elements discarded');
    expect(describeStoreStatus(0x0999)).toBe('0999H Unknown status');
    expect([0xa700, 0x0110, 0x0213].map(storeFailureIsTransient)).toEqual([true, true, true]);
    expect([0xa900, 0xc000, 0x0122, 0x0124, 0xc122].map(storeFailureIsTransient)).toEqual([false, false, false, false, false]);
  });
});

describe("the archive's explanation of an error", () => {
  const answer = (body: string, headers: Record<string, string> = {}) => ({ headers, body: Buffer.from(body) });
  it('from a Warning header, a JSON body (Orthanc, OAuth) or plain text; never markup', () => {
    expect(explanationOf(answer('', { warning: '299 dcm4chee: "Invalid Study Instance UID"' }))).toBe('Invalid Study Instance UID');
    expect(explanationOf(answer(JSON.stringify({ HttpStatus: 404, Message: 'Accessing an inexistent item', Details: 'No such instance' })))).toBe('Accessing an inexistent item: No such instance');
    expect(explanationOf(answer('Too many requests, slow down\n'))).toBe('Too many requests, slow down');
    expect(explanationOf(answer('<html><body>500</body></html>'))).toBe('');
    expect(explanationOf(answer('x'.repeat(1000))).length).toBe(300);
  });
});
