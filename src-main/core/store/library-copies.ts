import type { CopyReason } from '../../../src-shared/library';
import type { Db } from './db';
import type { PendingComparison } from '../library/model/files';

export type { PendingComparison };

/**
 * Second files of an instance. The first file found holds the instance in the index; another file with the
 * same SOP Instance UID waits (status 'conflict'), as a duplicate copy when its bytes are identical, as a
 * conflict when they differ, or 'compare' until its bytes are compared (only when the sizes match). When the
 * holder goes, a waiting file takes its place, an identical copy first.
 */

export const COPY_MESSAGE: Record<CopyReason, (holder: string) => string> = {
  'uid-conflict': (h) => `A different file with the same SOP Instance UID as ${h}`,
  'duplicate-copy': (h) => `Identical to ${h}`,
  compare: (h) => `Same SOP Instance UID and size as ${h}; contents not compared yet`,
};

interface FileFacts {
  path: string;
  size: number;
  hash: string | null;
}

/**
 * What a file is to the holder, from what is known without reading: sizes, and hashes where stored.
 * `known` is kept when nothing new can be said (a copy of a file identical to the old holder).
 */
export function relationTo(copy: Omit<FileFacts, 'path'>, holder: Omit<FileFacts, 'path'>, known?: CopyReason): CopyReason {
  if (copy.size !== holder.size) return 'uid-conflict';
  if (copy.hash && holder.hash) return copy.hash === holder.hash ? 'duplicate-copy' : 'uid-conflict';
  return known ?? 'compare';
}

/** `n`: the node's id as an SQL literal (library-node.ts): copies are compared within one node's library. */
function statements(db: Db, n: string) {
  return {
    holderOf: db.sql.prepare(
      `SELECT path, size, content_hash AS hash FROM library_files WHERE node_id = ${n} AND sop_instance_uid = ? AND status = 'indexed'`,
    ),
    waitingOf: db.sql.prepare(`
      SELECT path, size, content_hash AS hash, reason FROM library_files WHERE node_id = ${n} AND sop_instance_uid = ? AND status = 'conflict'
      ORDER BY reason = 'duplicate-copy' DESC, indexed_at, path`),
    setRelation: db.sql.prepare(`UPDATE library_files SET reason = ?, message = ? WHERE node_id = ${n} AND path = ?`),
    promote: db.sql.prepare(`UPDATE library_files SET status = 'indexed', reason = NULL, message = NULL WHERE node_id = ${n} AND path = ?`),
    setHash: db.sql.prepare(`UPDATE library_files SET content_hash = ? WHERE node_id = ${n} AND path = ?`),
    pending: db.sql.prepare(`
      SELECT c.path, c.sop_instance_uid AS sopInstanceUid, c.content_hash AS hash, h.path AS holderPath, h.content_hash AS holderHash
      FROM library_files c JOIN library_files h ON h.node_id = c.node_id AND h.sop_instance_uid = c.sop_instance_uid AND h.status = 'indexed'
      WHERE c.node_id = ${n} AND c.status = 'conflict' AND c.reason = 'compare' AND c.path > ? ORDER BY c.path LIMIT ?`),
    stillPending: db.sql.prepare(`SELECT 1 FROM library_files WHERE node_id = ${n} AND path = ? AND status = 'conflict' AND reason = 'compare'`),
  };
}

export class WaitingCopies {
  private readonly stmt: ReturnType<typeof statements>;

  constructor(
    private readonly db: Db,
    n: string,
  ) {
    this.stmt = statements(db, n);
  }

  holderOf(uid: string): FileFacts | undefined {
    return this.stmt.holderOf.get(uid) as FileFacts | undefined;
  }

  /** The holder of `uid` went: the best waiting file takes its place, and the others are placed against it. */
  promote(uid: string): void {
    if (this.holderOf(uid)) return;
    const [next, ...rest] = this.stmt.waitingOf.all(uid) as (FileFacts & { reason: CopyReason })[];
    if (!next) return;
    this.stmt.promote.run(next.path);
    // The new holder is identical to the one that went: every other file is to it what it was to that one.
    const same = next.reason === 'duplicate-copy';
    for (const w of rest) this.place(w, next, same ? w.reason : undefined);
  }

  /** The holder of `uid` was rewritten in place (same instance, new bytes): compare its copies again. */
  holderChanged(uid: string): void {
    const holder = this.holderOf(uid);
    if (!holder) return;
    for (const w of this.stmt.waitingOf.all(uid) as FileFacts[]) this.place(w, holder);
  }

  private place(w: FileFacts, holder: FileFacts, known?: CopyReason): void {
    const r = relationTo(w, holder, known);
    this.stmt.setRelation.run(r, COPY_MESSAGE[r](holder.path), w.path);
  }

  /** Waiting files still to compare, in path order after `after`. */
  pending(after: string, limit: number): PendingComparison[] {
    return this.stmt.pending.all(after, limit) as PendingComparison[];
  }

  /**
   * Records a comparison's outcome (hashes null when a file could not be read: then it is a conflict, with why).
   * Ignored when the index changed meanwhile (another holder, or the file re-scanned).
   */
  settle(c: PendingComparison, outcome: { hash: string; holderHash: string } | { error: string }): CopyReason | null {
    return this.db.tx(() => {
      const holder = this.holderOf(c.sopInstanceUid);
      if (!holder || holder.path !== c.holderPath || !this.stmt.stillPending.get(c.path)) return null;
      if ('error' in outcome) {
        this.stmt.setRelation.run('uid-conflict', `${COPY_MESSAGE['uid-conflict'](holder.path)} (contents not compared: ${outcome.error})`, c.path);
        return 'uid-conflict';
      }
      this.stmt.setHash.run(outcome.hash, c.path);
      this.stmt.setHash.run(outcome.holderHash, holder.path);
      const r: CopyReason = outcome.hash === outcome.holderHash ? 'duplicate-copy' : 'uid-conflict';
      this.stmt.setRelation.run(r, COPY_MESSAGE[r](holder.path), c.path);
      return r;
    });
  }
}
