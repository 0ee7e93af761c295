/** The content check's parts without a peer: the sample, one instance's outcome, the C-GET data set wrapped, the flag's value. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCopy } from '../../../src-main/core/content/check';
import { wrapAsPart10 } from '../../../src-main/core/content/part10-wrap';
import { chooseSample } from '../../../src-main/core/content/sample';
import type { IndexedFile } from '../../../src-main/core/library/model/files';
import { contentPassed, NO_CONTENT_COUNTS, parseContentSample } from '../../../src-shared/content';
import { makeLibrary, tempDir } from '../../support/fixtures';

/** A deterministic [0, 1) sequence (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const items = (series: number[]) => series.flatMap((n, s) => Array.from({ length: n }, (_, i) => ({ id: `${s}.${i}`, seriesUid: `S${s}` })));

describe('chooseSample', () => {
  it('all (or 100%) keeps every instance in order', () => {
    const all = items([3, 2]);
    expect(chooseSample(all, 'all')).toEqual(all);
    expect(chooseSample(all, 100)).toEqual(all);
  });

  it('a share: ceil(n × p / 100) instances, at least one of each series, no instance twice, in input order', () => {
    const all = items([50, 30, 15, 4, 1]); // 100 instances in 5 series
    for (let seed = 1; seed <= 50; seed++) {
      const s = chooseSample(all, 10, seeded(seed));
      expect(s).toHaveLength(10);
      expect(new Set(s.map((x) => x.seriesUid))).toEqual(new Set(['S0', 'S1', 'S2', 'S3', 'S4']));
      expect(new Set(s.map((x) => x.id)).size).toBe(10);
      expect(s.map((x) => all.indexOf(x))).toEqual([...s.map((x) => all.indexOf(x))].sort((a, b) => a - b));
    }
  });

  it('a share smaller than the number of series still takes one per series', () => {
    const s = chooseSample(items([10, 10, 10]), 1, seeded(7));
    expect(s.map((x) => x.seriesUid).sort()).toEqual(['S0', 'S1', 'S2']);
  });

  it('is random: different seeds choose different instances of a large series', () => {
    const all = items([200]);
    const picks = new Set([1, 2, 3, 4, 5].map((seed) => chooseSample(all, 5, seeded(seed)).map((x) => x.id).join(',')));
    expect(picks.size).toBe(5);
    expect(chooseSample([], 10)).toEqual([]);
  });
});

describe('parseContentSample and contentPassed', () => {
  it('accepts all and 0 < p ≤ 100, refuses the rest', () => {
    expect(parseContentSample('all')).toBe('all');
    expect(parseContentSample('ALL')).toBe('all');
    expect(parseContentSample('10')).toBe(10);
    expect(parseContentSample('12.5%')).toBe(12.5);
    expect(parseContentSample('100')).toBe('all');
    for (const bad of ['0', '-5', '101', 'half', '', '1e2', '10 %x']) expect(parseContentSample(bad)).toBeNull();
  });

  it('passes with same and transcoded only', () => {
    expect(contentPassed({ ...NO_CONTENT_COUNTS, same: 3, transcoded: 2 })).toBe(true);
    expect(contentPassed({ ...NO_CONTENT_COUNTS, same: 3, 'not-retrievable': 1 })).toBe(false);
    expect(contentPassed({ ...NO_CONTENT_COUNTS, differs: 1 })).toBe(false);
  });
});

describe('checkCopy', () => {
  const dir = tempDir('safekeep-content-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const [inst] = makeLibrary(path.join(dir, 'lib'), { studies: 1, seriesPerStudy: 1, instancesPerSeries: 1, pixelBytes: 2048 });
  const st = fs.statSync(inst!.path);
  const file: IndexedFile = { ...inst!, size: st.size, mtimeMs: Math.trunc(st.mtimeMs), patientId: null, accessionNumber: null, studyDate: null };
  const bytes = fs.readFileSync(inst!.path);

  it('the same bytes: same', () => {
    expect(checkCopy(file, { ok: true, bytes, transferSyntaxUid: '1.2.840.10008.1.2.1' }, 5)).toMatchObject({ outcome: 'same', text: 'same content', attribute: null, bytes: bytes.length, at: 5 });
  });

  it('an Implicit VR copy of the same values (dcmconv): transcoded, said so, pixel values compared', () => {
    const implicit = path.join(dir, 'implicit.dcm');
    execFileSync('dcmconv', ['+ti', inst!.path, implicit]);
    const r = checkCopy(file, { ok: true, bytes: fs.readFileSync(implicit), transferSyntaxUid: '1.2.840.10008.1.2' }, 5);
    expect(r).toMatchObject({ outcome: 'transcoded', text: 'archive holds a transcoded copy: Implicit VR Little Endian (1.2.840.10008.1.2) (pixel data compared value for value)' });
  });

  it('a C-GET data set wrapped as Part 10 compares as the file it came from', () => {
    const dataSetStart = 132 + 12 + bytes.readUInt32LE(140);
    const wrapped = wrapAsPart10(bytes.subarray(dataSetStart), { sopClassUid: inst!.sopClassUid, sopInstanceUid: inst!.sopInstanceUid, transferSyntaxUid: '1.2.840.10008.1.2.1' });
    expect(checkCopy(file, { ok: true, bytes: wrapped, transferSyntaxUid: '1.2.840.10008.1.2.1' }, 5).outcome).toBe('same');
  });

  it('a copy cut short inside the data set: content differs (the archive keeps a broken object)', () => {
    const r = checkCopy(file, { ok: true, bytes: bytes.subarray(0, bytes.length - 1000), transferSyntaxUid: '1.2.840.10008.1.2.1' }, 5);
    expect(r.outcome).toBe('differs');
    expect(r.text).toMatch(/^content differs: /);
  });

  it('nothing came back: not retrievable, with the reason', () => {
    expect(checkCopy(file, { ok: false, why: 'HTTP 404' }, 5)).toMatchObject({ outcome: 'not-retrievable', text: 'not retrievable: HTTP 404', bytes: 0 });
  });

  it('a local file gone or changed since the scan: not compared', () => {
    expect(checkCopy({ ...file, size: file.size + 1 }, { ok: true, bytes, transferSyntaxUid: '1.2.840.10008.1.2.1' }, 5)).toMatchObject({ outcome: 'local-changed' });
    expect(checkCopy({ ...file, path: path.join(dir, 'gone.dcm') }, { ok: true, bytes, transferSyntaxUid: '1.2.840.10008.1.2.1' }, 5)).toMatchObject({
      outcome: 'local-changed',
      text: 'the local file cannot be read (ENOENT): not compared',
    });
  });
});
