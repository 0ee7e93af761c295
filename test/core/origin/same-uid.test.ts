/**
 * Two commitment requests with one Transaction UID at the same moment: exactly one is taken, the other is
 * answered 409, and the stored transaction is the one that was taken (the check is part of the insert).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flatRefs, postCommitment, randomUid } from '../../support/commitment';
import { startOrigin, type OriginHarness } from '../../support/origin-harness';

describe('one Transaction UID posted twice at once', () => {
  let h: OriginHarness;
  beforeAll(async () => {
    h = await startOrigin();
  });
  afterAll(async () => {
    await h.close();
  });

  it('takes exactly one; the other gets 409 and changes nothing', async () => {
    const uid = randomUid();
    const [a, b] = await Promise.all([
      postCommitment(h.url, uid, flatRefs(h.instances.slice(0, 2)), { token: 'alice-secret' }),
      postCommitment(h.url, uid, flatRefs(h.instances.slice(0, 5)), { token: 'bob-secret' }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses[0]).toBeLessThan(300);
    expect(statuses[1]).toBe(409);
    const taken = a.status === 409 ? { client: 'bob', instanceCount: 5 } : { client: 'alice', instanceCount: 2 };
    expect(await h.core.incoming.read.get(uid)).toMatchObject(taken);
  });
});
