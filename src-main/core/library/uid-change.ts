import type { InstanceHeader } from '../../../src-shared/library';

/** The UIDs the index holds for a file (study and series may be left out: not checked then). */
export interface IndexedUids {
  sopInstanceUid: string;
  sopClassUid: string;
  studyUid?: string;
  seriesUid?: string;
}

/**
 * "its SOP Instance UID is now X (indexed: Y)" for the first indexed UID the file's header no longer carries,
 * or null when it carries them all (a file is re-read before it is sent: a changed one is not sent).
 */
export function uidChange(indexed: IndexedUids, h: InstanceHeader): string | null {
  const changed = (
    [
      ['SOP Instance UID', indexed.sopInstanceUid, h.sopInstanceUid],
      ['SOP Class UID', indexed.sopClassUid, h.sopClassUid],
      ['Study Instance UID', indexed.studyUid, h.studyUid],
      ['Series Instance UID', indexed.seriesUid, h.seriesUid],
    ] as const
  ).find(([, want, now]) => want !== undefined && want !== now);
  return changed ? `its ${changed[0]} is now ${changed[2] ?? 'missing'} (indexed: ${changed[1]})` : null;
}
