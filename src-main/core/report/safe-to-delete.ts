import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { LeftOutReason } from '../../../src-shared/report';
import { unchangedSince } from '../library/unchanged';
import type { ReportStore } from '../store/ports';
import type { VerifiedFile } from './model/rows';

export interface SafeToDeleteResult {
  files: number;
  leftOut: Record<LeftOutReason, number>;
  /** SHA-256 (hex) of the list's UTF-8 bytes. */
  sha256: string;
}

/** Is this committed file still the one that was verified? Its size and mtime now against those when planned. */
async function check(f: VerifiedFile): Promise<LeftOutReason | null> {
  if (f.filePath === null || f.fileSize === null || f.fileMtimeMs === null) return 'unknownState';
  // A line break would split the path into two lines of a list meant for deleting files.
  if (/[\r\n]/.test(f.filePath)) return 'unlistable';
  let st;
  try {
    st = await fs.stat(f.filePath);
  } catch {
    return 'missing';
  }
  return st.isFile() && unchangedSince(st, { size: f.fileSize, mtimeMs: f.fileMtimeMs }) ? null : 'changed';
}

/**
 * The files an archive keeps safely: its verdict is committed and the file is unchanged since it
 * was verified (stat now: same size and modification time as indexed when the request was planned).
 * Written one path per line through `sink`, a batch at a time; everything left out is counted by why.
 */
export async function writeSafeToDelete(reports: ReportStore, remoteId: number, sink: (chunk: string) => void): Promise<SafeToDeleteResult> {
  const totals = await reports.totals({ remoteId });
  const leftOut: Record<LeftOutReason, number> = {
    changed: 0,
    missing: 0,
    unknownState: 0,
    unlistable: 0,
    failed: totals.failed,
    pending: totals.pending,
    neverAsked: await reports.neverAsked(remoteId),
  };
  const hash = createHash('sha256');
  let files = 0;
  for await (const batch of reports.committedFiles(remoteId)) {
    const why = await Promise.all(batch.map(check));
    let text = '';
    batch.forEach((f, k) => {
      const reason = why[k];
      if (reason) leftOut[reason]++;
      else {
        text += `${f.filePath}\n`;
        files++;
      }
    });
    if (text) {
      hash.update(text, 'utf8');
      sink(text);
    }
  }
  return { files, leftOut, sha256: hash.digest('hex') };
}
