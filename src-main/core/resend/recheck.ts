/**
 * Before an instance is sent again its file is re-read: it must still carry the UIDs the library
 * indexed and hold all its Pixel Data; otherwise it is not sent ("file changed since the scan").
 */
import { FILE_CHANGED } from '../../../src-shared/resend';
import { readDicomHeader } from '../library/header';
import { uidChange } from '../library/uid-change';
import type { IndexedFile } from '../library/model/files';

export type Rechecked = { ok: true; transferSyntaxUid: string | null; size: number } | { ok: false; text: string };

export function recheckFile(f: IndexedFile): Rechecked {
  const r = readDicomHeader(f.path);
  if (!r.ok) return { ok: false, text: `${FILE_CHANGED}: ${r.reason === 'unreadable' ? r.message : `no longer readable as DICOM (${r.reason}): ${r.message}`}` };
  const changed = uidChange(f, r.header);
  if (changed) return { ok: false, text: `${FILE_CHANGED}: ${changed}` };
  // A cut-short file would be stored broken, and the archive would then commit an object that is not the instance.
  if (r.pixelDataProblem) return { ok: false, text: `${FILE_CHANGED}: ${r.pixelDataProblem}` };
  return { ok: true, transferSyntaxUid: r.header.transferSyntaxUid, size: r.fileSize };
}
