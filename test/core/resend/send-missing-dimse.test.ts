/**
 * "Send missing, then commit again" and the cross-check against a real Orthanc over DIMSE: C-STORE of
 * the instances whose verdict is 0112H, commitment again for exactly those, C-FIND listings beside
 * the verdicts. Nothing is mocked but one dropped send (a sender that loses its first item once).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMITTED_AFTER_RESEND } from '../../../src-shared/resend';
import { randomUid, writeDicomFile } from '../../support/dicom-writer';
import { CT_IMAGE, MR_IMAGE, type GeneratedInstance } from '../../support/fixtures';
import { faultySender, startFinishHarness, type FinishHarness } from '../../support/finish-harness';
import { storeWithStorescu } from '../../support/orthanc';

describe('send missing and cross-check with Orthanc (DIMSE)', () => {
  let h: FinishHarness;
  let remoteId: number;
  let inst: GeneratedInstance[];
  /** A UID Orthanc holds as CT while the library holds it as MR: its verdict is 0119H. */
  let conflict: { uid: string; path: string };

  beforeAll(async () => {
    const uid = randomUid();
    h = await startFinishHarness({ studies: 2, seriesPerStudy: 1, instancesPerSeries: 4 }, (_, k) => k < 4, {
      beforeScan: (lib, instances) => {
        const s = instances[0]!;
        conflict = { uid, path: path.join(lib, 'conflict.dcm') };
        writeDicomFile(conflict.path, { sopClassUid: MR_IMAGE, sopInstanceUid: uid, studyUid: s.studyUid, seriesUid: randomUid(), pixelBytes: 64 });
        writeDicomFile(path.join(lib, '..', 'twin.dcm'), { sopClassUid: CT_IMAGE, sopInstanceUid: uid, studyUid: s.studyUid, seriesUid: randomUid(), pixelBytes: 64 });
      },
    });
    inst = h.instances;
    await storeWithStorescu([path.join(h.root, 'twin.dcm')], { aeTitle: h.orthanc.aeTitle, port: h.orthanc.dicomPort });
    remoteId = await h.addDimseRemote('orthanc');
    await h.commit(remoteId);
    // After the verification, the last file of study 2 is overwritten by another instance.
    const last = inst[7]!;
    writeDicomFile(last.path, { sopClassUid: last.sopClassUid, sopInstanceUid: randomUid(), studyUid: last.studyUid, seriesUid: last.seriesUid, pixelBytes: 512 });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('stores the 0112H instances by C-STORE and commits them again; a changed file and a 0119H are not sent', async () => {
    const before = await h.core.store.resend.verdictsOf(remoteId, [...inst.map((i) => i.sopInstanceUid), conflict.uid]);
    expect(inst.map((i) => before.get(i.sopInstanceUid)?.failureReason ?? before.get(i.sopInstanceUid)?.outcome)).toEqual([
      ...Array(4).fill('committed'),
      ...Array(4).fill(0x0112),
    ]);
    expect(before.get(conflict.uid)).toMatchObject({ outcome: 'failed', failureReason: 0x0119 });

    const progress: string[] = [];
    const s = await h.sendMissing(remoteId, { onProgress: (p) => progress.push(`${p.round}/${p.rounds} ${p.phase} ${p.done}/${p.total}`) });
    expect(s).toMatchObject({ end: 'rounds-spent', selected: 4, committedAfterResend: 3, leftCount: 1 });
    expect(s.notResendable).toEqual([{ code: 0x0119, count: 1, why: expect.stringMatching(/^0119H .*different object under that UID; not re-sent$/) }]);
    expect(s.rounds).toEqual([{ round: 1, selected: 4, stored: 3, notStored: { 'file-changed': 1 }, jobId: expect.any(Number), committed: 3, failed: 0, pending: 0 }]);
    expect(s.left).toEqual([
      {
        sopInstanceUid: inst[7]!.sopInstanceUid,
        filePath: inst[7]!.path,
        why: expect.stringMatching(/^file-changed: file changed since the scan: its SOP Instance UID is now [\d.]+ \(indexed: [\d.]+\); commitment: 0112H No such object instance$/),
      },
    ]);
    expect(progress).toContain('1/3 committing 4/4');
    expect(progress.at(-1)).toBe('1/3 done 4/4');

    // Orthanc holds what was sent, not the changed file; the object under the 0119H UID is still its own (CT).
    for (const i of inst.slice(4, 7)) expect(await h.orthancId(i.sopInstanceUid)).not.toBeNull();
    expect(await h.orthancId(inst[7]!.sopInstanceUid)).toBeNull();
    const twin = await h.orthanc.rest<{ SOPClassUID: string }>('GET', `/instances/${await h.orthancId(conflict.uid)}/simplified-tags`);
    expect(twin.SOPClassUID).toBe(CT_IMAGE);

    // The verdict and the report say how it was committed; each store outcome is kept in words.
    const v = await h.core.store.reports.instanceVerdicts(inst[4]!.sopInstanceUid);
    expect(v).toEqual([expect.objectContaining({ outcome: 'committed', detail: COMMITTED_AFTER_RESEND })]);
    const rows = [];
    for await (const b of h.core.store.reports.rowBatches({ remoteId })) rows.push(...b);
    expect(rows.filter((r) => r.detail === COMMITTED_AFTER_RESEND).map((r) => r.sopInstanceUid).sort()).toEqual(inst.slice(4, 7).map((i) => i.sopInstanceUid).sort());
    expect(rows.find((r) => r.sopInstanceUid === inst[0]!.sopInstanceUid)).toMatchObject({ outcome: 'committed', detail: null });
    const outcomes = await h.core.store.resend.latestStoreOutcomes(remoteId, [inst[4]!.sopInstanceUid, inst[7]!.sopInstanceUid, conflict.uid]);
    expect(outcomes.get(inst[4]!.sopInstanceUid)).toMatchObject({ status: 'stored', code: 0, text: '0000H Success', protocol: 'dimse', round: 1 });
    expect(outcomes.get(inst[7]!.sopInstanceUid)).toMatchObject({ status: 'file-changed', code: null, bytes: 0 });
    expect(outcomes.has(conflict.uid)).toBe(false);
  });

  it('a send lost in round 1 is stored in round 2, which commits it', async () => {
    // Orthanc loses two committed instances; a new verification says 0112H for them.
    const lost = inst.slice(4, 6);
    for (const i of lost) await h.orthanc.rest('DELETE', `/instances/${await h.orthancId(i.sopInstanceUid)}`);
    await h.commit(remoteId, { instances: lost.map((i) => i.sopInstanceUid) });
    // Round 1 drops the first instance without sending it (as a dropped association would).
    let calls = 0;
    const flaky = faultySender(async (real, items, o) => {
      if (calls++ > 0) return real.send(items, o);
      await o.onOutcomes([{ sopInstanceUid: items[0]!.file.sopInstanceUid, status: 'not-sent', code: null, text: 'not sent: association aborted', retry: true, bytes: 0 }]);
      return real.send(items.slice(1), o);
    });
    const s = await h.sendMissing(remoteId, { selection: { instances: lost.map((i) => i.sopInstanceUid) }, rounds: 3 }, { senderFor: flaky });
    expect(s).toMatchObject({ end: 'all-committed', selected: 2, committedAfterResend: 2, leftCount: 0, left: [] });
    expect(s.rounds.map((r) => [r.round, r.selected, r.stored, r.notStored, r.committed])).toEqual([
      [1, 2, 1, { 'not-sent': 1 }, 1],
      [2, 1, 1, {}, 1],
    ]);
    const v = await h.core.store.resend.verdictsOf(remoteId, lost.map((i) => i.sopInstanceUid));
    expect([...v.values()].map((x) => [x.outcome, x.detail])).toEqual([
      ['committed', COMMITTED_AFTER_RESEND],
      ['committed', COMMITTED_AFTER_RESEND],
    ]);
  });

  it('with nothing a re-send can fix, nothing is sent', async () => {
    const s = await h.sendMissing(remoteId, { selection: { studies: [inst[0]!.studyUid] } });
    expect(s).toMatchObject({ end: 'nothing-to-send', selected: 0, rounds: [], committedAfterResend: 0 });
    expect(s.notResendable).toEqual([expect.objectContaining({ code: 0x0119, count: 1 })]);
  });

  it('cross-check by C-FIND: not listed, committed but not listed, listed but not committed', async () => {
    // Orthanc loses a committed instance behind Safekeep's back.
    const gone = inst[6]!;
    await h.orthanc.rest('DELETE', `/instances/${await h.orthancId(gone.sopInstanceUid)}`);
    const r = await h.crossCheck(remoteId);
    expect(r).toMatchObject({ via: 'C-FIND', source: `${h.orthanc.aeTitle}@127.0.0.1:${h.orthanc.dicomPort}`, allListed: false });
    expect(r.totals).toEqual({ studies: 2, local: 9, listed: 7, notListed: 2, committedNotListed: 1, listedNotCommitted: 1, errors: 0 });
    const [s1, s2] = [inst[0]!.studyUid, inst[4]!.studyUid].map((u) => r.studies.find((s) => s.studyUid === u)!);
    expect(s1).toMatchObject({ local: 5, listed: 5, committed: 4, archiveOnly: 0, notListed: [], committedNotListed: [], error: null });
    expect(s1!.listedNotCommitted).toEqual([expect.objectContaining({ sopInstanceUid: conflict.uid, verdict: 'failed', filePath: conflict.path })]);
    expect(s2).toMatchObject({ local: 4, listed: 2, committed: 3, listedNotCommitted: [], error: null });
    // In series then file order.
    expect(s2!.notListed.map((i) => [i.sopInstanceUid, i.verdict])).toEqual([
      [gone.sopInstanceUid, 'committed'],
      [inst[7]!.sopInstanceUid, 'failed'],
    ]);
    expect(s2!.committedNotListed.map((i) => i.sopInstanceUid)).toEqual([gone.sopInstanceUid]);
  });

  it('an archive that refuses the C-FIND association: every study says why, nothing is called listed', async () => {
    const wrong = await h.addDimseRemote('orthanc wrong AE', { aeTitle: 'NOT-ORTHANC' });
    const r = await h.crossCheck(wrong);
    expect(r.allListed).toBe(false);
    expect(r.totals).toMatchObject({ studies: 2, errors: 2, listed: 0, notListed: 0 });
    expect(r.studies.map((s) => s.error)).toEqual([expect.stringMatching(/NOT-ORTHANC/), expect.stringMatching(/NOT-ORTHANC/)]);
  });
  it('C-STOREs go to the storage AE when one is configured', async () => {
    // Orthanc checks the called AE title: a storage AE it does not answer to rejects the association.
    const other = await h.addDimseRemote('orthanc storage AE', { storageAeTitle: 'NOT-ORTHANC' });
    const gone = inst[6]!; // deleted inside Orthanc by the cross-check test
    await h.commit(other, { instances: [gone.sopInstanceUid] });
    const s = await h.sendMissing(other, { selection: { instances: [gone.sopInstanceUid] } });
    expect(s).toMatchObject({ end: 'rounds-spent', selected: 1, committedAfterResend: 0 });
    expect(s.rounds[0]).toMatchObject({ stored: 0, notStored: { 'not-sent': 1 }, jobId: null });
    expect(s.left[0]!.why).toMatch(/^not-sent: not sent: .*NOT-ORTHANC/);
    expect(await h.orthancId(gone.sopInstanceUid)).toBeNull();
  });
});
