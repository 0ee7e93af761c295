import type { CopyReason } from '../../../../src-shared/library';
import { COPY_MESSAGE, relationTo } from '../library-copies';
import type { PendingComparison } from '../../library/model/files';
import type { PgTx } from './db';

interface FileFacts {
  path: string;
  size: number;
  hash: string | null;
}

/**
 * Second files of an instance, in PostgreSQL, inside the caller's transaction (the rules are WaitingCopies',
 * library-copies.ts: the first file found holds the instance, others wait; when the holder goes, a waiting
 * file takes its place, an identical copy first).
 */
export class PgWaitingCopies {
  /** `n`: the node's id as an SQL literal (store/library-node.ts): copies are compared within one node's library. */
  constructor(
    private readonly t: PgTx,
    private readonly n: string,
  ) {}

  holderOf(uid: string): Promise<FileFacts | undefined> {
    return this.t.row(`SELECT path, size, content_hash AS hash FROM library_files WHERE node_id = ${this.n} AND sop_instance_uid = ? AND status = 'indexed'`, [uid]);
  }

  private waitingOf(uid: string): Promise<(FileFacts & { reason: CopyReason })[]> {
    return this.t.rows(
      `SELECT path, size, content_hash AS hash, reason FROM library_files WHERE node_id = ${this.n} AND sop_instance_uid = ? AND status = 'conflict'
       ORDER BY reason = 'duplicate-copy' DESC, indexed_at, path`,
      [uid],
    );
  }

  /** Of these instances, those with waiting files (only they can need a promotion). */
  async withWaiting(uids: readonly string[]): Promise<string[]> {
    if (uids.length === 0) return [];
    const rows = await this.t.rows<{ uid: string }>(
      `SELECT DISTINCT sop_instance_uid AS uid FROM library_files WHERE node_id = ${this.n} AND status = 'conflict' AND sop_instance_uid = ANY(?::text[])`,
      [uids],
    );
    return rows.map((r) => r.uid);
  }

  /** The holder of `uid` went: the best waiting file takes its place, and the others are placed against it. */
  async promote(uid: string): Promise<void> {
    if (await this.holderOf(uid)) return;
    const [next, ...rest] = await this.waitingOf(uid);
    if (!next) return;
    await this.t.run(`UPDATE library_files SET status = 'indexed', reason = NULL, message = NULL WHERE node_id = ${this.n} AND path = ?`, [next.path]);
    const same = next.reason === 'duplicate-copy';
    for (const w of rest) await this.place(w, next, same ? w.reason : undefined);
  }

  /** The holder of `uid` was rewritten in place: compare its copies again. */
  async holderChanged(uid: string): Promise<void> {
    const holder = await this.holderOf(uid);
    if (!holder) return;
    for (const w of await this.waitingOf(uid)) await this.place(w, holder);
  }

  private async place(w: FileFacts, holder: FileFacts, known?: CopyReason): Promise<void> {
    const r = relationTo(w, holder, known);
    await this.setRelation(w.path, r, COPY_MESSAGE[r](holder.path));
  }

  private setRelation(path: string, reason: CopyReason, message: string): Promise<number> {
    return this.t.run(`UPDATE library_files SET reason = ?, message = ? WHERE node_id = ${this.n} AND path = ?`, [reason, message, path]);
  }

  pending(after: string, limit: number): Promise<PendingComparison[]> {
    return this.t.rows(
      `SELECT c.path, c.sop_instance_uid AS "sopInstanceUid", c.content_hash AS hash, h.path AS "holderPath", h.content_hash AS "holderHash"
       FROM library_files c JOIN library_files h ON h.node_id = c.node_id AND h.sop_instance_uid = c.sop_instance_uid AND h.status = 'indexed'
       WHERE c.node_id = ${this.n} AND c.status = 'conflict' AND c.reason = 'compare' AND c.path > ? ORDER BY c.path LIMIT ?`,
      [after, limit],
    );
  }

  /** Records a comparison's outcome; ignored (null) when the index changed meanwhile. */
  async settle(c: PendingComparison, outcome: { hash: string; holderHash: string } | { error: string }): Promise<CopyReason | null> {
    const holder = await this.holderOf(c.sopInstanceUid);
    const still = await this.t.row(`SELECT 1 AS x FROM library_files WHERE node_id = ${this.n} AND path = ? AND status = 'conflict' AND reason = 'compare'`, [c.path]);
    if (!holder || holder.path !== c.holderPath || !still) return null;
    if ('error' in outcome) {
      await this.setRelation(c.path, 'uid-conflict', `${COPY_MESSAGE['uid-conflict'](holder.path)} (contents not compared: ${outcome.error})`);
      return 'uid-conflict';
    }
    await this.t.run(`UPDATE library_files SET content_hash = ? WHERE node_id = ${this.n} AND path = ?`, [outcome.hash, c.path]);
    await this.t.run(`UPDATE library_files SET content_hash = ? WHERE node_id = ${this.n} AND path = ?`, [outcome.holderHash, holder.path]);
    const r: CopyReason = outcome.hash === outcome.holderHash ? 'duplicate-copy' : 'uid-conflict';
    await this.setRelation(c.path, r, COPY_MESSAGE[r](holder.path));
    return r;
  }
}
