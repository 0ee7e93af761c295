/**
 * One instance's content check: the archive's copy (or why there is none) against the local file,
 * re-read now. A local file whose size or modification time changed since the scan is not compared:
 * its difference would be ours, not the archive's.
 */
import fs from 'node:fs';
import { CONTENT_DIFFERS, type ContentCheckRecord } from '../../../src-shared/content';
import type { AttributeDifference } from '../../../src-shared/compare';
import { compareContent } from '../compare/compare';
import { transferSyntaxName } from '../compare/part10';
import type { IndexedFile } from '../library/model/files';
import { unchangedSince } from '../library/unchanged';

/** What the archive gave back for one instance. */
export type Copy = { ok: true; bytes: Buffer; transferSyntaxUid: string } | { ok: false; why: string };

/** "(0010,0010) PatientName", or inside a sequence "ReferencedImageSequence (0008,1140) item 1 > (0008,1155) ReferencedSOPInstanceUID". */
export function attributeName(d: AttributeDifference): string {
  const own = `${d.tag} ${d.keyword ?? '(private or unknown)'}`;
  return d.path ? `${d.path} > ${own}` : own;
}

/** The local file's bytes, or why they are not the indexed file's any more. */
function readLocal(f: IndexedFile): { bytes: Buffer } | { changed: string } {
  try {
    const st = fs.statSync(f.path);
    if (!unchangedSince(st, f)) {
      return { changed: `the local file changed since the scan (size or modification time): not compared; scan again` };
    }
    return { bytes: fs.readFileSync(f.path) };
  } catch (e) {
    return { changed: `the local file cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): not compared` };
  }
}

export function checkCopy(f: IndexedFile, copy: Copy, now: number): ContentCheckRecord {
  const base = { sopInstanceUid: f.sopInstanceUid, studyUid: f.studyUid, seriesUid: f.seriesUid, filePath: f.path, at: now, attribute: null };
  if (!copy.ok) return { ...base, outcome: 'not-retrievable', text: `not retrievable: ${copy.why}`, bytes: 0 };
  const bytes = copy.bytes.length;
  const local = readLocal(f);
  if ('changed' in local) return { ...base, outcome: 'local-changed', text: local.changed, bytes };
  const c = compareContent(local.bytes, copy.bytes);
  if (c.outcome === 'unreadable') {
    if (c.side === 'local') return { ...base, outcome: 'local-changed', text: `${c.message}: not compared`, bytes };
    return { ...base, outcome: 'differs', text: `${CONTENT_DIFFERS}: ${c.message}`, bytes };
  }
  if (c.outcome === 'differs') {
    const attribute = attributeName(c.difference);
    const note = c.transcoded ? `; the archive's copy is ${transferSyntaxName(c.transcoded.to)}` : '';
    return { ...base, outcome: 'differs', attribute, text: `${CONTENT_DIFFERS}: ${attribute}: local ${c.difference.local}, archive ${c.difference.retrieved}${note}`, bytes };
  }
  if (c.transcoded) {
    const pixels = c.transcoded.pixelData === 'compared' ? 'pixel data compared value for value' : 'pixel data not compared';
    return { ...base, outcome: 'transcoded', text: `archive holds a transcoded copy: ${transferSyntaxName(c.transcoded.to)} (${pixels})`, bytes };
  }
  return { ...base, outcome: 'same', text: 'same content', bytes };
}
