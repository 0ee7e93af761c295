import { describe, expect, test } from 'vitest';
import {
  nActionElements,
  parseNActionElements,
  parseReportElements,
  readEventReport,
  reportElements,
  reportEventType,
} from '../../../src-main/core/dimse/commitment-data';
import { DIMSE_STATUS, DimseError, describeStatus } from '../../../src-main/core/dimse/types';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const PUSH = '1.2.840.10008.1.20.1';
const PUSH_INSTANCE = '1.2.840.10008.1.20.1.1';

describe('describeStatus', () => {
  test('known codes in words', () => {
    expect(describeStatus(0x0000)).toBe('0000H Success');
    expect(describeStatus(0x0115)).toBe('0115H Invalid argument value');
    expect(describeStatus(0x0123)).toBe('0123H No such action');
    expect(describeStatus(0x0213)).toBe('0213H Resource limitation');
  });
  test('unknown codes get their class', () => {
    expect(describeStatus(0xa700)).toBe('A700H Failure');
    expect(describeStatus(0xb000)).toBe('B000H Warning');
    expect(describeStatus(0x1234)).toBe('1234H Unknown status');
  });
  test('DIMSE_STATUS values', () => {
    expect(DIMSE_STATUS.NoSuchAction).toBe(0x0123);
    expect(DIMSE_STATUS.InvalidSopInstance).toBe(0x0117);
  });
  test('DimseError carries kind and detail', () => {
    const e = new DimseError('rejected', 'association rejected by X (calling AE title not recognized, permanent)', '{}');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('DimseError');
    expect(e.kind).toBe('rejected');
    expect(e.detail).toBe('{}');
  });
});

describe('N-ACTION data set', () => {
  const a = { sopClassUid: CT, sopInstanceUid: '1.2.3.4' };
  const b = { sopClassUid: CT, sopInstanceUid: '1.2.3.5' };

  test('round trip', () => {
    const el = nActionElements('1.2.3', [a, b]);
    expect(el).toEqual({
      TransactionUID: '1.2.3',
      ReferencedSOPSequence: [
        { ReferencedSOPClassUID: CT, ReferencedSOPInstanceUID: '1.2.3.4' },
        { ReferencedSOPClassUID: CT, ReferencedSOPInstanceUID: '1.2.3.5' },
      ],
    });
    expect(parseNActionElements(el)).toEqual({ ok: true, value: { transactionUid: '1.2.3', instances: [a, b] } });
  });

  test('UI padding and a one-item sequence given as an object are tolerated', () => {
    const r = parseNActionElements({
      TransactionUID: '1.2.3\0',
      ReferencedSOPSequence: { ReferencedSOPClassUID: `${CT}\0`, ReferencedSOPInstanceUID: ['1.2.3.4'] },
    });
    expect(r).toEqual({ ok: true, value: { transactionUid: '1.2.3', instances: [a] } });
  });

  test.each([
    ['no data set', undefined, /no data set/],
    ['missing Transaction UID', { ReferencedSOPSequence: [{ ReferencedSOPClassUID: CT, ReferencedSOPInstanceUID: '1.2' }] }, /Transaction UID .* is missing/],
    ['invalid Transaction UID', { TransactionUID: '1.2.x', ReferencedSOPSequence: [{ ReferencedSOPClassUID: CT, ReferencedSOPInstanceUID: '1.2' }] }, /contains a character/],
    ['no sequence', { TransactionUID: '1.2' }, /missing or empty/],
    ['empty sequence', { TransactionUID: '1.2', ReferencedSOPSequence: [] }, /missing or empty/],
    ['item without class', { TransactionUID: '1.2', ReferencedSOPSequence: [{ ReferencedSOPInstanceUID: '1.2' }] }, /Class UID .* item 1 is missing/],
    ['item without instance', { TransactionUID: '1.2', ReferencedSOPSequence: [{ ReferencedSOPClassUID: CT }] }, /Instance UID .* item 1 is missing/],
    [
      'duplicate instance',
      {
        TransactionUID: '1.2',
        ReferencedSOPSequence: [
          { ReferencedSOPClassUID: CT, ReferencedSOPInstanceUID: '1.2.9' },
          { ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.7', ReferencedSOPInstanceUID: '1.2.9' },
        ],
      },
      /listed more than once/,
    ],
  ])('%s => 0115H', (_name, el, problem) => {
    const r = parseNActionElements(el as Record<string, unknown> | undefined);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.status).toBe(0x0115);
      expect(r.problem).toMatch(problem);
    }
  });
});

describe('N-EVENT-REPORT data set', () => {
  const ok = { sopClassUid: CT, sopInstanceUid: '1.2.3.4' };
  const bad = { sopClassUid: CT, sopInstanceUid: '1.2.3.5', failureReason: 0x0112 };

  test('empty sequences are left out; event type follows failures', () => {
    expect(reportElements({ transactionUid: '9.9', committed: [ok], failed: [] })).toEqual({
      TransactionUID: '9.9',
      ReferencedSOPSequence: [{ ReferencedSOPClassUID: CT, ReferencedSOPInstanceUID: '1.2.3.4' }],
    });
    expect(reportElements({ transactionUid: '9.9', committed: [], failed: [bad] })).toEqual({
      TransactionUID: '9.9',
      FailedSOPSequence: [{ ReferencedSOPClassUID: CT, ReferencedSOPInstanceUID: '1.2.3.5', FailureReason: 0x0112 }],
    });
    expect(reportEventType({ transactionUid: '9.9', committed: [ok], failed: [] })).toBe(1);
    expect(reportEventType({ transactionUid: '9.9', committed: [ok], failed: [bad] })).toBe(2);
  });

  test('round trip', () => {
    const content = { transactionUid: '9.9', committed: [ok], failed: [bad] };
    expect(parseReportElements(reportElements(content))).toEqual({ ok: true, value: content });
  });

  test('missing Transaction UID => 0110H; missing Failure Reason => 0110H as the reason', () => {
    expect(parseReportElements({ ReferencedSOPSequence: [] })).toMatchObject({ ok: false, status: 0x0110 });
    expect(
      parseReportElements({ TransactionUID: '9.9', FailedSOPSequence: [{ ReferencedSOPClassUID: CT, ReferencedSOPInstanceUID: '1.2' }] }),
    ).toEqual({ ok: true, value: { transactionUid: '9.9', committed: [], failed: [{ sopClassUid: CT, sopInstanceUid: '1.2', failureReason: 0x0110 }] } });
  });

  test('readEventReport checks class, instance and event type', () => {
    const req = (cls: string, inst: string, type: number) => ({
      getAffectedSopClassUid: () => cls,
      getAffectedSopInstanceUid: () => inst,
      getEventTypeId: () => type,
      getDataset: () => ({ getElements: () => reportElements({ transactionUid: '9.9', committed: [ok], failed: [] }) }),
    });
    const ctx = { callingAeTitle: 'ARCHIVE', sameAssociation: false };
    expect(readEventReport(req(CT, PUSH_INSTANCE, 1), ctx)).toMatchObject({ ok: false, status: 0x0118 });
    expect(readEventReport(req(PUSH, '1.2.3', 1), ctx)).toMatchObject({ ok: false, status: 0x0117 });
    expect(readEventReport(req(PUSH, PUSH_INSTANCE, 3), ctx)).toMatchObject({ ok: false, status: 0x0113 });
    expect(readEventReport(req(PUSH, PUSH_INSTANCE, 1), ctx)).toEqual({
      ok: true,
      value: { transactionUid: '9.9', eventTypeId: 1, committed: [ok], failed: [], callingAeTitle: 'ARCHIVE', sameAssociation: false },
    });
  });
});
