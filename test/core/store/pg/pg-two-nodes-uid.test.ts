/**
 * Two Safekeep nodes on one PostgreSQL database, one Transaction UID POSTed to each at the same moment:
 * exactly one takes it, the other answers 409 (the check is part of the insert, whichever node makes it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flatRefs, postCommitment, randomUid } from '../../../support/commitment';
import { startOrigin, type OriginHarness } from '../../../support/origin-harness';
import { createTestDatabase } from '../../../support/postgres';

describe('one Transaction UID posted to two nodes at once', () => {
  let a: OriginHarness;
  let b: OriginHarness;
  beforeAll(async () => {
    const database = await createTestDatabase();
    a = await startOrigin({ database });
    b = await startOrigin({ database });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('takes exactly one; the other node answers 409 and changes nothing', async () => {
    for (let round = 0; round < 3; round++) {
      const uid = randomUid();
      const [fromA, fromB] = await Promise.all([
        postCommitment(a.url, uid, flatRefs(a.instances.slice(0, 2)), { token: 'alice-secret' }),
        postCommitment(b.url, uid, flatRefs(a.instances.slice(0, 5)), { token: 'bob-secret' }),
      ]);
      expect([fromA.status, fromB.status].filter((s) => s === 409)).toHaveLength(1);
      expect(Math.min(fromA.status, fromB.status)).toBeLessThan(300);
      const taken = fromA.status === 409 ? { client: 'bob', instanceCount: 5 } : { client: 'alice', instanceCount: 2 };
      // Either node reads the one stored transaction.
      expect(await a.core.incoming.read.get(uid)).toMatchObject(taken);
      expect(await b.core.incoming.read.get(uid)).toMatchObject(taken);
    }
  });
});
