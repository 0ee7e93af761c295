/**
 * An archive that dies mid-send: Orthanc is killed (SIGKILL) and restarted while Safekeep's C-STOREs
 * are under way. Every instance ends with a stated outcome; the next round carries on and commits the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultySender, startFinishHarness, type FinishHarness } from '../../support/finish-harness';

describe('send missing while the archive is killed and restarted', () => {
  let h: FinishHarness;
  let remoteId: number;

  beforeAll(async () => {
    h = await startFinishHarness({ studies: 1, seriesPerStudy: 1, instancesPerSeries: 70 }, () => false);
    remoteId = await h.addDimseRemote('orthanc');
    await h.commit(remoteId);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('the instances after the kill are "not sent" in round 1 and stored in round 2; all end committed after re-send', async () => {
    let killed = false;
    // The first batch of outcomes is written (64 instances), then Orthanc dies and comes back before the next C-STORE.
    const killing = faultySender((real, items, o) =>
      real.send(items, {
        ...o,
        onOutcomes: async (batch) => {
          await o.onOutcomes(batch);
          if (!killed) {
            killed = true;
            await h.orthanc.kill();
            await h.orthanc.restart();
          }
        },
      }),
    );
    const s = await h.sendMissing(remoteId, { rounds: 3 }, { senderFor: killing });
    expect(killed).toBe(true);
    expect(s).toMatchObject({ end: 'all-committed', selected: 70, committedAfterResend: 70, leftCount: 0 });
    expect(s.rounds.map((r) => [r.round, r.selected, r.stored, r.notStored, r.committed, r.failed])).toEqual([
      [1, 70, 64, { 'not-sent': 6 }, 64, 0],
      [2, 6, 6, {}, 6, 0],
    ]);
    const kept = await h.core.store.resend.latestStoreOutcomes(remoteId, h.instances.map((i) => i.sopInstanceUid));
    expect(new Set([...kept.values()].map((o) => `${o.round} ${o.status}`))).toEqual(new Set(['1 stored', '2 stored']));
    expect((await h.orthanc.rest<{ CountInstances: number }>('GET', '/statistics')).CountInstances).toBe(70);
  });
});
