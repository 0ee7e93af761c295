import type { CopyReason, FileFlag, InstanceHeader } from '../../../src-shared/library';
import type { Selection } from '../../../src-shared/outgoing';
import type { InstanceRow, ProblemFile, SeriesRow, StudyRow } from '../../../src-shared/contract/handlers';
import type { Db } from './db';
import { COPY_MESSAGE, relationTo, WaitingCopies } from './library-copies';
import { closestRoot, covers, rootsBelow, underSql } from './library-roots';
import { ADOPT_LIBRARY, DEFAULT_LIBRARY_NODE, nodeLiteral } from './library-node';
import type { LibraryStore } from './ports';
import type { BatchCounts, FileRecord, FileState, IndexedFile, LibraryCounts, LibraryRoot, PendingComparison } from '../library/model/files';

export type { FileRecord, FileState, IndexedFile };

/**
 * The revision of what the scan records of a file. Rows written by an older revision are re-read at the next
 * scan even when unchanged (revision 1: truncated Pixel Data flagged, second copies compared).
 */
export const READER_REV = 1;

/** A row the problem list shows: not an instance of the index, or indexed with a flag. */
export const PROBLEM = `(status <> 'indexed' OR flag IS NOT NULL)`;

/** The columns of an IndexedFile (quoted aliases: PostgreSQL keeps their case too). */
export const INDEXED_FILE_COLUMNS = `path, sop_class_uid AS "sopClassUid", sop_instance_uid AS "sopInstanceUid", study_uid AS "studyUid",
  series_uid AS "seriesUid", size, mtime_ms AS "mtimeMs", patient_id AS "patientId", accession_number AS "accessionNumber", study_date AS "studyDate"`;

/** A file scanned again replaces its row: every column the scan reads (its content hash is computed again later). */
export const UPSERT_FILE = `ON CONFLICT (node_id, path) DO UPDATE SET root = excluded.root, size = excluded.size, mtime_ms = excluded.mtime_ms,
  status = excluded.status, reason = excluded.reason, message = excluded.message,
  sop_instance_uid = excluded.sop_instance_uid, sop_class_uid = excluded.sop_class_uid,
  study_uid = excluded.study_uid, series_uid = excluded.series_uid, transfer_syntax_uid = excluded.transfer_syntax_uid,
  patient_name = excluded.patient_name, patient_id = excluded.patient_id, study_date = excluded.study_date,
  study_description = excluded.study_description, accession_number = excluded.accession_number,
  modality = excluded.modality, series_number = excluded.series_number,
  series_description = excluded.series_description, instance_number = excluded.instance_number,
  indexed_at = excluded.indexed_at, flag = excluded.flag, flag_message = excluded.flag_message,
  content_hash = NULL, reader_rev = excluded.reader_rev`;

function statements(db: Db, n: string) {
  return {
    upsert: db.sql.prepare(`
      INSERT INTO library_files (node_id, path, root, size, mtime_ms, status, reason, message, sop_instance_uid, sop_class_uid,
        study_uid, series_uid, transfer_syntax_uid, patient_name, patient_id, study_date, study_description,
        accession_number, modality, series_number, series_description, instance_number, indexed_at,
        flag, flag_message, content_hash, reader_rev)
      VALUES (${n}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ${READER_REV})
      ${UPSERT_FILE}`),
    rowAt: db.sql.prepare(`SELECT status, sop_instance_uid AS sop FROM library_files WHERE node_id = ${n} AND path = ?`),
    deletePath: db.sql.prepare(`DELETE FROM library_files WHERE node_id = ${n} AND path = ?`),
    pathsOfRoot: db.sql.prepare(`SELECT path FROM library_files WHERE node_id = ${n} AND root = ?`),
    findMany: db.sql.prepare(`
      SELECT ${INDEXED_FILE_COLUMNS}
      FROM library_files WHERE node_id = ${n} AND status = 'indexed' AND sop_instance_uid IN (SELECT value FROM json_each(?))`),
    holders: db.sql.prepare(`
      SELECT DISTINCT sop_instance_uid AS sop, node_id AS node FROM library_files
      WHERE status = 'indexed' AND node_id <> ${n} AND sop_instance_uid IN (SELECT value FROM json_each(?))`),
  };
}

/**
 * The library index in SQLite: which file holds which instance, and which files were skipped, wait as second
 * copies, or carry a flag. Synchronous inside; each method is one transaction.
 */
export class LibraryRepo implements LibraryStore {
  private readonly stmt: ReturnType<typeof statements>;
  /** Second files of instances (conflicts, duplicate copies) and who takes over when a holder goes. */
  private readonly copies: WaitingCopies;

  /** This node's id as an SQL literal (library-node.ts): every statement reads and writes its rows only. */
  private readonly n: string;

  constructor(
    private readonly db: Db,
    readonly nodeId: string = DEFAULT_LIBRARY_NODE,
  ) {
    this.n = nodeLiteral(nodeId);
    this.stmt = statements(db, this.n);
    this.copies = new WaitingCopies(db, this.n);
    adoptLibrary(db, nodeId);
  }

  async roots(): Promise<LibraryRoot[]> {
    return this.rootRows();
  }

  private rootRows(): LibraryRoot[] {
    return this.db.sql
      .prepare(`SELECT path, added_at AS addedAt, last_scan_at AS lastScanAt FROM library_roots WHERE node_id = ${this.n} ORDER BY path`)
      .all() as LibraryRoot[];
  }

  private rootPaths(): string[] {
    return this.rootRows().map((r) => r.path);
  }

  /** Adds a folder; files below it that belonged to a folder above it now belong to it (the closest). */
  async addRoot(path: string, now: number): Promise<void> {
    this.db.tx(() => {
      if (this.db.sql.prepare(`INSERT OR IGNORE INTO library_roots (node_id, path, added_at) VALUES (${this.n}, ?, ?)`).run(path, now).changes === 0) return;
      const under = underSql('path', path);
      this.db.sql.prepare(`UPDATE library_files SET root = ? WHERE node_id = ${this.n} AND ${under.sql} AND length(root) < length(?)`).run(path, ...under.args, path);
    });
  }

  async markScanned(path: string, now: number): Promise<void> {
    this.db.sql.prepare(`UPDATE library_roots SET last_scan_at = ? WHERE node_id = ${this.n} AND path = ?`).run(now, path);
  }

  /** The folder a file found by scanning `root` belongs to: the closest library folder covering it. */
  async ownerFinder(root: string): Promise<(path: string) => string> {
    const below = rootsBelow(root, this.rootPaths());
    if (below.length === 0) return () => root;
    return (path) => below.find((b) => covers(b, path)) ?? root;
  }

  /**
   * Forgets a folder. Its files that another folder still covers stay indexed, now under the closest such
   * folder; only the others are forgotten (the files themselves are not touched). `kept`: files below the
   * folder that stay in the index.
   */
  async removeRoot(path: string): Promise<{ forgotten: number; kept: number }> {
    return this.db.tx(() => {
      this.db.sql.prepare(`DELETE FROM library_roots WHERE node_id = ${this.n} AND path = ?`).run(path);
      const remaining = this.rootPaths();
      const move = (to: string, where = '', args: string[] = []) =>
        this.db.sql.prepare(`UPDATE library_files SET root = ? WHERE node_id = ${this.n} AND root = ? ${where}`).run(to, path, ...args);
      // Folders below it (deepest first) keep their files, then the closest folder above it takes the rest.
      for (const below of rootsBelow(path, remaining)) {
        const under = underSql('path', below);
        move(below, `AND ${under.sql}`, under.args);
      }
      const above = closestRoot(path, remaining);
      if (above) move(above);
      const gone = (this.stmt.pathsOfRoot.all(path) as { path: string }[]).map((r) => r.path);
      this.forget(gone);
      const under = underSql('path', path);
      const kept = (this.db.sql.prepare(`SELECT COUNT(*) AS n FROM library_files WHERE node_id = ${this.n} AND ${under.sql}`).get(...under.args) as { n: number }).n;
      return { forgotten: gone.length, kept };
    });
  }

  /**
   * size + mtime of every file known under `root` (its own and those of folders below it), for incremental
   * rescans. Files recorded by an older reader revision are left out, so they are read again.
   */
  async fileStates(root: string): Promise<Map<string, FileState>> {
    const owners = [root, ...rootsBelow(root, this.rootPaths())];
    const rows = this.db.sql
      .prepare(
        `SELECT path, size, mtime_ms AS mtimeMs FROM library_files
         WHERE node_id = ${this.n} AND root IN (SELECT value FROM json_each(?)) AND reader_rev >= ${READER_REV}`,
      )
      .all(JSON.stringify(owners)) as { path: string; size: number; mtimeMs: number }[];
    return new Map(rows.map((r) => [r.path, { size: r.size, mtimeMs: r.mtimeMs }]));
  }

  /**
   * Writes a batch of scanned files in one transaction. A file whose SOP Instance UID is already indexed
   * from another path waits as a second copy, never overwriting it: a conflict when its size differs,
   * 'compare' when the sizes match (settleCopies compares the bytes later, off the scan's hot path).
   */
  async applyBatch(records: readonly FileRecord[], now: number): Promise<BatchCounts> {
    const counts: BatchCounts = { indexed: 0, skipped: 0, conflicts: 0, compare: 0, flagged: 0 };
    this.db.tx(() => {
      for (const r of records) {
        const previous = this.stmt.rowAt.get(r.path) as { status: string; sop: string | null } | undefined;
        if (r.status === 'skipped') {
          this.write(r, 'skipped', r.reason, r.message, null, now);
          counts.skipped++;
        } else {
          const uid = r.header.sopInstanceUid;
          const holder = this.copies.holderOf(uid);
          if (holder && holder.path !== r.path) {
            const relation = relationTo({ size: r.size, hash: null }, holder);
            this.write(r, 'conflict', relation, COPY_MESSAGE[relation](holder.path), r.header, now);
            if (relation === 'compare') counts.compare++;
            else counts.conflicts++;
          } else {
            this.write(r, 'indexed', null, null, r.header, now, r.flag);
            counts.indexed++;
            if (r.flag) counts.flagged++;
            if (holder) this.copies.holderChanged(uid); // the holder itself was re-read: its bytes may have changed
          }
        }
        // The file used to hold another instance (or none now): let a waiting file take its place.
        if (previous?.status === 'indexed' && previous.sop && (r.status !== 'indexed' || previous.sop !== r.header.sopInstanceUid)) {
          this.copies.promote(previous.sop);
        }
      }
    });
    return counts;
  }

  /** Removes index entries of `root` whose file the last full walk did not see (folders below it walk their own). */
  async removeMissing(root: string, seen: ReadonlySet<string>): Promise<number> {
    return this.db.tx(() => {
      const below = rootsBelow(root, this.rootPaths());
      const known = this.stmt.pathsOfRoot.all(root) as { path: string }[];
      const gone = known.map((k) => k.path).filter((p) => !seen.has(p) && !below.some((b) => covers(b, p)));
      if (gone.length > 0) this.forget(gone);
      return gone.length;
    });
  }

  /** Deletes index entries; an instance whose holder went is taken over by a waiting file. */
  private forget(paths: readonly string[]): void {
    const held = new Set<string>();
    for (const path of paths) {
      const row = this.stmt.rowAt.get(path) as { status: string; sop: string | null } | undefined;
      if (row?.status === 'indexed' && row.sop) held.add(row.sop);
      this.stmt.deletePath.run(path);
    }
    for (const uid of held) this.copies.promote(uid);
  }

  private write(
    r: FileRecord,
    status: 'indexed' | 'skipped' | 'conflict',
    reason: string | null,
    message: string | null,
    h: InstanceHeader | null,
    now: number,
    flag?: { code: FileFlag; message: string },
  ): void {
    this.stmt.upsert.run(
      r.path,
      r.root,
      r.size,
      Math.trunc(r.mtimeMs),
      status,
      reason,
      message,
      h?.sopInstanceUid ?? null,
      h?.sopClassUid ?? null,
      h?.studyUid ?? null,
      h?.seriesUid ?? null,
      h?.transferSyntaxUid ?? null,
      h?.patientName ?? null,
      h?.patientId ?? null,
      h?.studyDate ?? null,
      h?.studyDescription ?? null,
      h?.accessionNumber ?? null,
      h?.modality ?? null,
      h?.seriesNumber ?? null,
      h?.seriesDescription ?? null,
      h?.instanceNumber ?? null,
      now,
      flag?.code ?? null,
      flag?.message ?? null,
    );
  }

  /** One query for a batch of instances (the commit path looks up thousands at a time). */
  async findInstances(sopInstanceUids: readonly string[]): Promise<Map<string, IndexedFile>> {
    const rows = this.stmt.findMany.all(JSON.stringify(sopInstanceUids)) as IndexedFile[];
    return new Map(rows.map((r) => [r.sopInstanceUid, r]));
  }

  async otherNodesHolding(sopInstanceUids: readonly string[]): Promise<Map<string, string[]>> {
    const rows = this.stmt.holders.all(JSON.stringify(sopInstanceUids)) as { sop: string; node: string }[];
    return holdersMap(rows);
  }

  /** The indexed instances of a selection: whole studies, series, single instances, or everything below paths. */
  async select(sel: Selection): Promise<IndexedFile[]> {
    const where = selectionWhere(sel);
    if (!where) return [];
    return this.db.sql
      .prepare(`SELECT ${INDEXED_FILE_COLUMNS} FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' AND ${where.sql}`)
      .all(...where.args) as IndexedFile[];
  }

  /** How many indexed instances `select` would return, without reading them (the Verify dialog). */
  async countSelection(sel: Selection): Promise<number> {
    const where = selectionWhere(sel);
    if (!where) return 0;
    return (this.db.sql.prepare(`SELECT COUNT(*) AS n FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' AND ${where.sql}`).get(...where.args) as { n: number }).n;
  }

  /** Studies of the library (newest first), optionally filtered by patient, ID, accession, description or UID. */
  async studies(o: { search?: string; limit: number; offset: number }): Promise<{ rows: StudyRow[]; total: number }> {
    const args: unknown[] = [];
    let filter = '';
    if (o.search && o.search.trim()) {
      const like = `%${o.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      filter = `AND (patient_name LIKE ? ESCAPE '\\' OR patient_id LIKE ? ESCAPE '\\' OR accession_number LIKE ? ESCAPE '\\'
        OR study_description LIKE ? ESCAPE '\\' OR study_uid LIKE ? ESCAPE '\\' OR study_date LIKE ? ESCAPE '\\')`;
      args.push(like, like, like, like, like, like);
    }
    const rows = this.db.sql
      .prepare(
        `SELECT study_uid AS studyUid, MAX(patient_name) AS patientName, MAX(patient_id) AS patientId, MAX(study_date) AS studyDate,
           MAX(study_description) AS studyDescription, MAX(accession_number) AS accessionNumber,
           GROUP_CONCAT(DISTINCT modality) AS modalities, COUNT(DISTINCT series_uid) AS seriesCount, COUNT(*) AS instanceCount
         FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' ${filter}
         GROUP BY study_uid ORDER BY studyDate DESC, patientName, study_uid LIMIT ? OFFSET ?`,
      )
      .all(...args, o.limit, o.offset) as StudyRow[];
    const total = (
      this.db.sql.prepare(`SELECT COUNT(DISTINCT study_uid) AS n FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' ${filter}`).get(...args) as { n: number }
    ).n;
    return { rows, total };
  }

  async series(studyUid: string): Promise<SeriesRow[]> {
    return this.db.sql
      .prepare(
        `SELECT series_uid AS seriesUid, MAX(series_number) AS seriesNumber, MAX(series_description) AS seriesDescription,
           MAX(modality) AS modality, COUNT(*) AS instanceCount
         FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' AND study_uid = ? GROUP BY series_uid ORDER BY seriesNumber, series_uid`,
      )
      .all(studyUid) as SeriesRow[];
  }

  async instancesOfSeries(seriesUid: string, o: { limit: number; offset: number }): Promise<{ rows: InstanceRow[]; total: number }> {
    const rows = this.db.sql
      .prepare(
        `SELECT sop_instance_uid AS sopInstanceUid, sop_class_uid AS sopClassUid, instance_number AS instanceNumber, path, size
         FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' AND series_uid = ? ORDER BY instance_number, path LIMIT ? OFFSET ?`,
      )
      .all(seriesUid, o.limit, o.offset) as InstanceRow[];
    const total = (this.db.sql.prepare(`SELECT COUNT(*) AS n FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' AND series_uid = ?`).get(seriesUid) as { n: number }).n;
    return { rows, total };
  }

  /** Files that are not instances of the index, and indexed files with a flag. */
  async problemCount(): Promise<number> {
    return (this.db.sql.prepare(`SELECT COUNT(*) AS n FROM library_files WHERE node_id = ${this.n} AND ${PROBLEM}`).get() as { n: number }).n;
  }

  /** "DOE^JANE 20260101 CT CHEST" — how a study is named in labels and reports; one query for every study of a job. */
  async describeStudies(studyUids: readonly string[]): Promise<Map<string, string>> {
    const rows = this.db.sql
      .prepare(
        `SELECT j.value AS uid, l.patient_name AS name, l.patient_id AS pid, l.study_date AS date, l.study_description AS descr
         FROM json_each(?) j JOIN library_files l
           ON l.rowid = (SELECT rowid FROM library_files WHERE node_id = ${this.n} AND study_uid = j.value AND status = 'indexed' LIMIT 1)`,
      )
      .all(JSON.stringify(studyUids)) as { uid: string; name: string | null; pid: string | null; date: string | null; descr: string | null }[];
    const named = new Map<string, string>();
    for (const row of rows) {
      const text = [row.name ?? row.pid, row.date, row.descr].filter(Boolean).join(' ');
      if (text) named.set(row.uid, text);
    }
    return named;
  }

  /** `roots` and the library folders below them (their files belong to the closest folder). */
  private scope(roots: readonly string[] | undefined): { sql: string; args: string[] } {
    if (!roots || roots.length === 0) return { sql: '', args: [] };
    const all = this.rootPaths();
    const owners = [...new Set(roots.flatMap((r) => [r, ...rootsBelow(r, all)]))];
    return { sql: `AND root IN (SELECT value FROM json_each(?))`, args: [JSON.stringify(owners)] };
  }

  /** Counts of the whole library, or of the files found under the given roots. */
  async summary(roots?: readonly string[]): Promise<LibraryCounts> {
    const scope = this.scope(roots);
    return this.db.sql
      .prepare(
        `SELECT
          COUNT(DISTINCT CASE WHEN status = 'indexed' THEN study_uid END) AS studies,
          COUNT(DISTINCT CASE WHEN status = 'indexed' THEN series_uid END) AS series,
          COALESCE(SUM(status = 'indexed'), 0) AS instances,
          COALESCE(SUM(status = 'skipped'), 0) AS skipped,
          COALESCE(SUM(status = 'conflict' AND reason <> 'duplicate-copy'), 0) AS conflicts,
          COALESCE(SUM(status = 'conflict' AND reason = 'duplicate-copy'), 0) AS duplicates,
          COALESCE(SUM(status = 'indexed' AND flag IS NOT NULL), 0) AS flagged,
          COALESCE(SUM(CASE WHEN status = 'indexed' THEN size ELSE 0 END), 0) AS bytes
         FROM library_files WHERE node_id = ${this.n} ${scope.sql}`,
      )
      .get(...scope.args) as LibraryCounts;
  }

  /** Files that are not instances of the index (skipped, conflicts, duplicate copies) and flagged indexed files, with why. */
  async problems(o: { roots?: readonly string[]; limit: number; offset: number }): Promise<ProblemFile[]> {
    const scope = this.scope(o.roots);
    return this.db.sql
      .prepare(
        `SELECT path,
           CASE WHEN status = 'indexed' THEN 'flagged' WHEN reason = 'duplicate-copy' THEN 'duplicate' ELSE status END AS status,
           COALESCE(flag, reason) AS reason, COALESCE(flag_message, message) AS message, size
         FROM library_files WHERE node_id = ${this.n} AND ${PROBLEM} ${scope.sql}
         ORDER BY path LIMIT ? OFFSET ?`,
      )
      .all(...scope.args, o.limit, o.offset) as ProblemFile[];
  }

  async pendingCopies(after: string, limit: number): Promise<PendingComparison[]> {
    return this.copies.pending(after, limit);
  }

  async settleCopy(c: PendingComparison, outcome: { hash: string; holderHash: string } | { error: string }): Promise<CopyReason | null> {
    return this.copies.settle(c, outcome);
  }
}

/** The WHERE condition of a selection (null when it selects nothing). */
function selectionWhere(sel: Selection): { sql: string; args: unknown[] } | null {
  const parts: string[] = [];
  const args: unknown[] = [];
  const inJson = (column: string, values: string[] | undefined) => {
    if (!values || values.length === 0) return;
    parts.push(`${column} IN (SELECT value FROM json_each(?))`);
    args.push(JSON.stringify(values));
  };
  inJson('study_uid', sel.studies);
  inJson('series_uid', sel.series);
  inJson('sop_instance_uid', sel.instances);
  for (const p of sel.paths ?? []) {
    // The path itself (a file), or anything below it (a folder).
    const under = underSql('path', p);
    parts.push(under.sql);
    args.push(...under.args);
  }
  return parts.length === 0 ? null : { sql: `(${parts.join(' OR ')})`, args };
}

/** The rows indexed before the library was per node become `nodeId`'s (library-node.ts; nothing once taken). */
export function adoptLibrary(db: Db, nodeId: string): void {
  db.tx(() => {
    for (const sql of ADOPT_LIBRARY) db.sql.prepare(sql).run(nodeId);
  });
}

/** SOP Instance UID -> the nodes whose library indexes it. */
export function holdersMap(rows: readonly { sop: string; node: string }[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const r of rows) {
    const list = m.get(r.sop);
    if (list) list.push(r.node);
    else m.set(r.sop, [r.node]);
  }
  return m;
}
