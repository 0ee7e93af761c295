/**
 * An archive that dies mid-send: Orthanc is killed (SIGKILL) and restarted while Safekeep's C-STOREs
 * are under way, and a run cancelled mid-send. Every instance ends with a stated outcome; the next round carries
 * on and commits the rest.
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

  it('cancelled mid-send (migration-cancel): what was stored stays recorded, nothing is asked, the verdicts stay failed', async () => {
    const off = h.host.events.on('resend-progress', () => void h.host.call('migration-cancel', { remoteId }));
    try {
      const s = await h.host.call('migration-send-missing', { remoteId, selection: { paths: [h.lib] }, rounds: 3 });
      expect(s).toMatchObject({ end: 'cancelled', selected: 70, committedAfterResend: 0, leftCount: 70 });
      expect(s.rounds).toEqual([{ round: 1, selected: 70, stored: 64, notStored: { 'not-sent': 6 }, jobId: null, committed: 0, failed: 0, pending: 0 }]);
    } finally {
      off();
    }
    const kept = await h.core.store.resend.latestStoreOutcomes(remoteId, h.instances.map((i) => i.sopInstanceUid));
    expect([...kept.values()].filter((o) => o.status === 'not-sent').map((o) => o.text)).toEqual(Array(6).fill('not sent: cancelled'));
    const v = await h.core.store.resend.verdictsOf(remoteId, h.instances.map((i) => i.sopInstanceUid));
    expect(new Set([...v.values()].map((x) => `${x.outcome} ${x.failureReason}`))).toEqual(new Set([`failed ${0x0112}`]));
    expect(await h.host.call('migration-cancel', { remoteId })).toEqual({ cancelled: false });
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
