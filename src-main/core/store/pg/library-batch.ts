import type { FileFlag, InstanceHeader } from '../../../../src-shared/library';
import { COPY_MESSAGE, relationTo } from '../library-copies';
import { READER_REV, UPSERT_FILE } from '../library-repo';
import type { BatchCounts, FileRecord } from '../../library/model/files';
import type { PgTx } from './db';
import { PgWaitingCopies } from './library-copies';

/** One library_files row as written by a scan. */
interface FileRow {
  r: FileRecord;
  status: 'indexed' | 'skipped' | 'conflict';
  reason: string | null;
  message: string | null;
  h: InstanceHeader | null;
  flag?: { code: FileFlag; message: string } | undefined;
}

/** PostgreSQL text cannot hold NUL (a damaged header may): it is dropped. */
const text = (s: string | null | undefined): string | null => (s == null ? null : s.includes('\0') ? s.replaceAll('\0', '') : s);

/** `n`: the node's id as an SQL literal (store/library-node.ts). */
const upsert = (n: string) => `
  INSERT INTO library_files (node_id, path, root, size, mtime_ms, status, reason, message, sop_instance_uid, sop_class_uid,
    study_uid, series_uid, transfer_syntax_uid, patient_name, patient_id, study_date, study_description,
    accession_number, modality, series_number, series_description, instance_number, flag, flag_message, indexed_at, content_hash, reader_rev)
  SELECT ${n}, u.*, ?::bigint, NULL, ${READER_REV} FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
    ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
    ?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::text[]) AS u
  ${UPSERT_FILE}`;

/** Writes rows in one statement (a second copy's hash is forgotten: its bytes may have changed). */
async function write(t: PgTx, n: string, rows: readonly FileRow[], now: number): Promise<void> {
  if (rows.length === 0) return;
  const col = <V>(pick: (w: FileRow) => V) => rows.map(pick);
  const h = <V>(pick: (h: InstanceHeader) => V) => rows.map((w) => (w.h ? pick(w.h) : null));
  await t.run(upsert(n), [
    now,
    col((w) => text(w.r.path)),
    col((w) => text(w.r.root)),
    col((w) => w.r.size),
    col((w) => Math.trunc(w.r.mtimeMs)),
    col((w) => w.status),
    col((w) => w.reason),
    col((w) => text(w.message)),
    h((x) => text(x.sopInstanceUid)),
    h((x) => text(x.sopClassUid)),
    h((x) => text(x.studyUid)),
    h((x) => text(x.seriesUid)),
    h((x) => text(x.transferSyntaxUid)),
    h((x) => text(x.patientName)),
    h((x) => text(x.patientId)),
    h((x) => text(x.studyDate)),
    h((x) => text(x.studyDescription)),
    h((x) => text(x.accessionNumber)),
    h((x) => text(x.modality)),
    h((x) => x.seriesNumber),
    h((x) => text(x.seriesDescription)),
    h((x) => x.instanceNumber),
    col((w) => w.flag?.code ?? null),
    col((w) => text(w.flag?.message)),
  ]);
}

/** The row of a file that is not an instance of the index, or of a file that holds its instance. */
function plainRow(r: FileRecord): FileRow {
  return r.status === 'skipped'
    ? { r, status: 'skipped', reason: r.reason, message: r.message, h: null }
    : { r, status: 'indexed', reason: null, message: null, h: r.header, flag: r.flag };
}

/**
 * Writes a batch of scanned files (LibraryRepo.applyBatch's rules). Files that meet no other file of their
 * instance — no holder elsewhere, no waiting copy, no other file of the batch, and a path that held no other
 * instance nor waited as a copy — are written in one statement; they touch nothing the others read, so the
 * order does not matter for them. The others go one by one, in batch order, as in SQLite.
 */
export async function applyBatchIn(t: PgTx, n: string, records: readonly FileRecord[], now: number): Promise<BatchCounts> {
  const counts: BatchCounts = { indexed: 0, skipped: 0, conflicts: 0, compare: 0, flagged: 0 };
  const copies = new PgWaitingCopies(t, n);
  const uidOf = (r: FileRecord) => (r.status === 'indexed' ? r.header.sopInstanceUid : null);
  const uids = [...new Set(records.map(uidOf).filter((u): u is string => u !== null))];
  const previous = new Map(
    (await t.rows<{ path: string; status: string; sop: string | null }>(
      `SELECT path, status, sop_instance_uid AS sop FROM library_files WHERE node_id = ${n} AND path = ANY(?::text[])`,
      [records.map((r) => text(r.path))],
    )).map((p) => [p.path, p]),
  );
  const holders = new Map(
    (await t.rows<{ uid: string; path: string }>(`SELECT sop_instance_uid AS uid, path FROM library_files WHERE node_id = ${n} AND status = 'indexed' AND sop_instance_uid = ANY(?::text[])`, [
      uids,
    ])).map((h) => [h.uid, h.path]),
  );
  const waiting = new Set(await copies.withWaiting(uids));
  const inBatch = new Map<string, number>();
  const once = (key: string) => inBatch.get(key) === 1;
  for (const key of records.flatMap((r) => [`path:${r.path}`, `uid:${uidOf(r)}`])) inBatch.set(key, (inBatch.get(key) ?? 0) + 1);

  const alone = (r: FileRecord): boolean => {
    const prev = previous.get(r.path);
    const uid = uidOf(r);
    if (!once(`path:${r.path}`)) return false;
    if (uid === null) return !prev || prev.status === 'skipped';
    const holder = holders.get(uid);
    return once(`uid:${uid}`) && !waiting.has(uid) && (!holder || holder === r.path) && (!prev || prev.status === 'skipped' || (prev.status === 'indexed' && prev.sop === uid));
  };
  const simple = records.filter(alone);
  await write(t, n, simple.map(plainRow), now);
  for (const r of simple) {
    if (r.status === 'skipped') counts.skipped++;
    else (counts.indexed++, r.flag && counts.flagged++);
  }

  for (const r of records) {
    if (alone(r)) continue;
    const prev = await t.row<{ status: string; sop: string | null }>(`SELECT status, sop_instance_uid AS sop FROM library_files WHERE node_id = ${n} AND path = ?`, [text(r.path)]);
    if (r.status === 'skipped') {
      await write(t, n, [plainRow(r)], now);
      counts.skipped++;
    } else {
      const uid = r.header.sopInstanceUid;
      const holder = await copies.holderOf(uid);
      if (holder && holder.path !== r.path) {
        const relation = relationTo({ size: r.size, hash: null }, holder);
        await write(t, n, [{ r, status: 'conflict', reason: relation, message: COPY_MESSAGE[relation](holder.path), h: r.header }], now);
        if (relation === 'compare') counts.compare++;
        else counts.conflicts++;
      } else {
        await write(t, n, [plainRow(r)], now);
        counts.indexed++;
        if (r.flag) counts.flagged++;
        if (holder) await copies.holderChanged(uid);
      }
    }
    // The file used to hold another instance (or none now): let a waiting file take its place.
    if (prev?.status === 'indexed' && prev.sop && (r.status !== 'indexed' || prev.sop !== r.header.sopInstanceUid)) await copies.promote(prev.sop);
  }
  return counts;
}

/** Deletes index entries; an instance whose holder went is taken over by a waiting file. */
export async function forgetIn(t: PgTx, n: string, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  const gone = await t.returning<{ sop: string }>(
    `DELETE FROM library_files WHERE node_id = ${n} AND path = ANY(?::text[]) RETURNING CASE WHEN status = 'indexed' THEN sop_instance_uid END AS sop`,
    [paths],
  );
  const copies = new PgWaitingCopies(t, n);
  const held = [...new Set(gone.map((g) => g.sop).filter((s) => s !== null))];
  for (const uid of await copies.withWaiting(held)) await copies.promote(uid);
}
