import { describe, expect, test } from 'vitest';
import type { AcceptedContext } from '../../../src-main/core/dimse/requestor';
import { describeServiceStatus } from '../../../src-main/core/dimse/status-words';
import { chooseContext, planStoreAssociations } from '../../../src-main/core/dimse/store-contexts';
import { EXPLICIT_VR_LITTLE_ENDIAN as EXPLICIT, IMPLICIT_VR_LITTLE_ENDIAN as IMPLICIT } from '../../../src-main/core/dimse/types';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const SC = '1.2.840.10008.5.1.4.1.1.7';
const JPEG = '1.2.840.10008.1.2.4.50';
const J2K = '1.2.840.10008.1.2.4.91';

function accepted(...pairs: [string, string][]): AcceptedContext[] {
  return pairs.map(([abstractSyntax, transferSyntax], i) => ({ id: 2 * i + 1, abstractSyntax, transferSyntax, scuRole: undefined, scpRole: undefined }));
}

describe('presentation contexts for C-STORE', () => {
  test("one context per SOP class and file transfer syntax, plus Implicit VR LE only for classes with uncompressed files", () => {
    const plans = planStoreAssociations([
      { sopClassUid: CT, transferSyntaxUid: EXPLICIT },
      { sopClassUid: CT, transferSyntaxUid: EXPLICIT },
      { sopClassUid: SC, transferSyntaxUid: JPEG },
      { sopClassUid: SC, transferSyntaxUid: J2K },
      { sopClassUid: CT, transferSyntaxUid: JPEG },
    ]);
    expect(plans).toHaveLength(1);
    expect(plans[0]!.items).toEqual([0, 1, 2, 3, 4]);
    expect(plans[0]!.contexts.map((c) => [c.abstractSyntax, c.transferSyntaxes])).toEqual([
      [CT, [EXPLICIT]],
      [CT, [JPEG]],
      [CT, [IMPLICIT]],
      [SC, [JPEG]],
      [SC, [J2K]],
    ]);
  });

  test('more SOP class / transfer syntax pairs than 128 contexts split into associations, each class whole', () => {
    const items = Array.from({ length: 100 }, (_, i) => [
      { sopClassUid: `1.2.3.${i}`, transferSyntaxUid: EXPLICIT }, // 2 contexts each (with the implicit fallback)
    ]).flat();
    const plans = planStoreAssociations(items);
    expect(plans).toHaveLength(2);
    expect(plans[0]!.contexts).toHaveLength(128);
    expect(plans[1]!.contexts).toHaveLength(72);
    expect([...plans[0]!.items, ...plans[1]!.items].sort((a, b) => a - b)).toEqual(items.map((_, i) => i));
    for (const plan of plans) {
      const classes = new Set(plan.contexts.map((c) => c.abstractSyntax));
      for (const i of plan.items) expect(classes.has(items[i]!.sopClassUid)).toBe(true);
    }
  });

  test("a file goes in its own transfer syntax when accepted, an uncompressed one may be re-encoded, a compressed one never", () => {
    const ctx = accepted([CT, EXPLICIT], [CT, IMPLICIT], [SC, IMPLICIT]);
    expect(chooseContext(ctx, { sopClassUid: CT, transferSyntaxUid: EXPLICIT })).toMatchObject({ kind: 'as-is', context: { id: 1 } });
    expect(chooseContext(accepted([CT, IMPLICIT]), { sopClassUid: CT, transferSyntaxUid: EXPLICIT })).toMatchObject({ kind: 'convert', context: { transferSyntax: IMPLICIT } });
    expect(chooseContext(ctx, { sopClassUid: SC, transferSyntaxUid: JPEG })).toEqual({
      kind: 'refused',
      description: 'the archive does not accept SOP class 1.2.840.10008.5.1.4.1.1.7 (Secondary Capture Image Storage) in transfer syntax 1.2.840.10008.1.2.4.50 (JPEG Baseline (Process 1))',
    });
    expect(chooseContext(ctx, { sopClassUid: '1.2.3.4', transferSyntaxUid: EXPLICIT })).toEqual({
      kind: 'refused',
      description: 'the archive does not accept SOP class 1.2.3.4 in transfer syntax 1.2.840.10008.1.2.1 (Explicit VR Little Endian) (nor in 1.2.840.10008.1.2 (Implicit VR Little Endian))',
    });
  });
});

describe('DIMSE statuses in words', () => {
  test.each([
    ['C-STORE', 0x0000, 'success', '0000H Success'],
    ['C-STORE', 0xa700, 'failure', 'A700H Refused: Out of Resources'],
    ['C-STORE', 0xa7ff, 'failure', 'A7FFH Refused: Out of Resources'],
    ['C-STORE', 0xa900, 'failure', 'A900H Error: Data Set does not match SOP Class'],
    ['C-STORE', 0xc123, 'failure', 'C123H Error: Cannot understand'],
    ['C-STORE', 0xb000, 'warning', 'B000H Warning: Coercion of Data Elements'],
    ['C-STORE', 0xb006, 'warning', 'B006H Warning: Elements Discarded'],
    ['C-STORE', 0xb007, 'warning', 'B007H Warning: Data Set does not match SOP Class'],
    ['C-STORE', 0x0122, 'failure', '0122H Refused: SOP Class not supported'],
    ['C-STORE', 0xb123, 'warning', 'B123H Warning'],
    ['C-FIND', 0xff01, 'pending', 'FF01H Pending: Matches are continuing (optional keys not supported)'],
    ['C-FIND', 0xfe00, 'cancel', 'FE00H Cancel: Matching terminated due to Cancel request'],
    ['C-FIND', 0xc001, 'failure', 'C001H Error: Unable to process'],
    ['C-GET', 0xa702, 'failure', 'A702H Refused: Out of Resources - Unable to perform sub-operations'],
    ['C-GET', 0xb000, 'warning', 'B000H Warning: Sub-operations complete - one or more failures or warnings'],
  ] as const)('%s %s', (service, code, cls, text) => {
    expect(describeServiceStatus(service, code)).toEqual({ code, class: cls, text });
  });
});
