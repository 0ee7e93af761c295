import type { InstanceHeader, SkipReason } from '../../../src-shared/library';
import { sep } from 'node:path';
import type { Selection } from '../../../src-shared/outgoing';
import type { InstanceRow, SeriesRow, StudyRow } from '../../../src-shared/contract/handlers';
import type { Db } from './db';

export interface FileState {
  size: number;
  mtimeMs: number;
}

/** One file as the scanner saw it. */
export type FileRecord =
  | { path: string; root: string; size: number; mtimeMs: number; status: 'indexed'; header: InstanceHeader }
  | { path: string; root: string; size: number; mtimeMs: number; status: 'skipped'; reason: SkipReason; message: string };

export interface IndexedFile {
  path: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string;
  seriesUid: string;
  size: number;
  mtimeMs: number;
  /** Kept with a verification request, for its reports. */
  patientId: string | null;
  accessionNumber: string | null;
  studyDate: string | null;
}

/** The columns of an IndexedFile. */
const INDEXED_FILE_COLUMNS = `path, sop_class_uid AS sopClassUid, sop_instance_uid AS sopInstanceUid, study_uid AS studyUid,
  series_uid AS seriesUid, size, mtime_ms AS mtimeMs, patient_id AS patientId, accession_number AS accessionNumber, study_date AS studyDate`;

function statements(db: Db) {
  return {
    upsertIndexed: db.sql.prepare(`
      INSERT INTO library_files (path, root, size, mtime_ms, status, reason, message, sop_instance_uid, sop_class_uid,
        study_uid, series_uid, transfer_syntax_uid, patient_name, patient_id, study_date, study_description,
        accession_number, modality, series_number, series_description, instance_number, indexed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (path) DO UPDATE SET root = excluded.root, size = excluded.size, mtime_ms = excluded.mtime_ms,
        status = excluded.status, reason = excluded.reason, message = excluded.message,
        sop_instance_uid = excluded.sop_instance_uid, sop_class_uid = excluded.sop_class_uid,
        study_uid = excluded.study_uid, series_uid = excluded.series_uid, transfer_syntax_uid = excluded.transfer_syntax_uid,
        patient_name = excluded.patient_name, patient_id = excluded.patient_id, study_date = excluded.study_date,
        study_description = excluded.study_description, accession_number = excluded.accession_number,
        modality = excluded.modality, series_number = excluded.series_number,
        series_description = excluded.series_description, instance_number = excluded.instance_number,
        indexed_at = excluded.indexed_at`),
    indexedHolder: db.sql.prepare(
      `SELECT path FROM library_files WHERE sop_instance_uid = ? AND status = 'indexed' AND path <> ?`,
    ),
    rowAt: db.sql.prepare(`SELECT status, sop_instance_uid AS sop FROM library_files WHERE path = ?`),
    deletePath: db.sql.prepare(`DELETE FROM library_files WHERE path = ?`),
    promoteConflict: db.sql.prepare(`
      UPDATE library_files SET status = 'indexed', reason = NULL, message = NULL
      WHERE path = (SELECT path FROM library_files WHERE sop_instance_uid = ? AND status = 'conflict' ORDER BY indexed_at LIMIT 1)`),
    findMany: db.sql.prepare(`
      SELECT ${INDEXED_FILE_COLUMNS}
      FROM library_files WHERE status = 'indexed' AND sop_instance_uid IN (SELECT value FROM json_each(?))`),
  };
}

/** The library index: which file holds which instance, and which files were skipped and why. */
export class LibraryRepo {
  private readonly stmt: ReturnType<typeof statements>;

  constructor(private readonly db: Db) {
    this.stmt = statements(db);
  }


  roots(): { path: string; addedAt: number; lastScanAt: number | null }[] {
    return this.db.sql
      .prepare(`SELECT path, added_at AS addedAt, last_scan_at AS lastScanAt FROM library_roots ORDER BY path`)
      .all() as { path: string; addedAt: number; lastScanAt: number | null }[];
  }

  addRoot(path: string, now: number): void {
    this.db.sql.prepare(`INSERT OR IGNORE INTO library_roots (path, added_at) VALUES (?, ?)`).run(path, now);
  }

  markScanned(path: string, now: number): void {
    this.db.sql.prepare(`UPDATE library_roots SET last_scan_at = ? WHERE path = ?`).run(now, path);
  }

  /** Forgets a root and everything indexed from it (the files themselves are not touched). */
  removeRoot(path: string): number {
    return this.db.tx(() => {
      const paths = this.db.sql.prepare(`SELECT path FROM library_files WHERE root = ?`).all(path) as { path: string }[];
      for (const p of paths) this.removePath(p.path);
      this.db.sql.prepare(`DELETE FROM library_roots WHERE path = ?`).run(path);
      return paths.length;
    });
  }

  /** size + mtime of every file known under `root`, for incremental rescans. */
  fileStates(root: string): Map<string, FileState> {
    const rows = this.db.sql
      .prepare(`SELECT path, size, mtime_ms AS mtimeMs FROM library_files WHERE root = ?`)
      .all(root) as { path: string; size: number; mtimeMs: number }[];
    return new Map(rows.map((r) => [r.path, { size: r.size, mtimeMs: r.mtimeMs }]));
  }

  /**
   * Writes a batch of scanned files in one transaction. A file whose SOP Instance UID
   * is already indexed from another path is stored as a conflict, never overwriting it.
   */
  applyBatch(records: readonly FileRecord[], now: number): { indexed: number; skipped: number; conflicts: number } {
    const counts = { indexed: 0, skipped: 0, conflicts: 0 };
    this.db.tx(() => {
      for (const r of records) {
        const previous = this.stmt.rowAt.get(r.path) as { status: string; sop: string | null } | undefined;
        if (r.status === 'skipped') {
          this.write(r, 'skipped', r.reason, r.message, null, now);
          counts.skipped++;
        } else {
          const holder = this.stmt.indexedHolder.get(r.header.sopInstanceUid, r.path) as { path: string } | undefined;
          if (holder) {
            this.write(r, 'conflict', 'duplicate', `Same SOP Instance UID as ${holder.path}`, r.header, now);
            counts.conflicts++;
          } else {
            this.write(r, 'indexed', null, null, r.header, now);
            counts.indexed++;
          }
        }
        // The file used to hold another instance: let a file waiting in conflict take its place.
        if (previous?.status === 'indexed' && previous.sop && (r.status !== 'indexed' || previous.sop !== r.header.sopInstanceUid)) {
          this.stmt.promoteConflict.run(previous.sop);
        }
      }
    });
    return counts;
  }

  /** Removes index entries under `root` whose file was not seen by the last full walk. */
  removeMissing(root: string, seen: ReadonlySet<string>): number {
    const known = this.db.sql.prepare(`SELECT path FROM library_files WHERE root = ?`).all(root) as { path: string }[];
    const gone = known.filter((k) => !seen.has(k.path));
    if (gone.length > 0) this.db.tx(() => gone.forEach((g) => this.removePath(g.path)));
    return gone.length;
  }

  private removePath(path: string): void {
    const row = this.stmt.rowAt.get(path) as { status: string; sop: string | null } | undefined;
    this.stmt.deletePath.run(path);
    if (row?.status === 'indexed' && row.sop) this.stmt.promoteConflict.run(row.sop);
  }

  private write(
    r: FileRecord,
    status: 'indexed' | 'skipped' | 'conflict',
    reason: string | null,
    message: string | null,
    h: InstanceHeader | null,
    now: number,
  ): void {
    this.stmt.upsertIndexed.run(
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
    );
  }

  /** One query for a batch of instances (the commit path looks up thousands at a time). */
  findInstances(sopInstanceUids: readonly string[]): Map<string, IndexedFile> {
    const rows = this.stmt.findMany.all(JSON.stringify(sopInstanceUids)) as IndexedFile[];
    return new Map(rows.map((r) => [r.sopInstanceUid, r]));
  }

  /** The indexed instances of a selection: whole studies, series, single instances, or everything below paths. */
  select(sel: Selection): IndexedFile[] {
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
      // The path itself (a file), or anything below it (a folder); LIKE wildcards in names are escaped.
      parts.push(`(path = ? OR path LIKE ? ESCAPE '\\')`);
      const prefix = p.endsWith(sep) ? p : p + sep;
      args.push(p, `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (parts.length === 0) return [];
    return this.db.sql
      .prepare(`SELECT ${INDEXED_FILE_COLUMNS} FROM library_files WHERE status = 'indexed' AND (${parts.join(' OR ')})`)
      .all(...args) as IndexedFile[];
  }

  /** Studies of the library (newest first), optionally filtered by patient, ID, accession, description or UID. */
  studies(o: { search?: string; limit: number; offset: number }): { rows: StudyRow[]; total: number } {
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
         FROM library_files WHERE status = 'indexed' ${filter}
         GROUP BY study_uid ORDER BY studyDate DESC, patientName, study_uid LIMIT ? OFFSET ?`,
      )
      .all(...args, o.limit, o.offset) as StudyRow[];
    const total = (
      this.db.sql.prepare(`SELECT COUNT(DISTINCT study_uid) AS n FROM library_files WHERE status = 'indexed' ${filter}`).get(...args) as { n: number }
    ).n;
    return { rows, total };
  }

  series(studyUid: string): SeriesRow[] {
    return this.db.sql
      .prepare(
        `SELECT series_uid AS seriesUid, MAX(series_number) AS seriesNumber, MAX(series_description) AS seriesDescription,
           MAX(modality) AS modality, COUNT(*) AS instanceCount
         FROM library_files WHERE status = 'indexed' AND study_uid = ? GROUP BY series_uid ORDER BY seriesNumber, series_uid`,
      )
      .all(studyUid) as SeriesRow[];
  }

  instancesOfSeries(seriesUid: string, o: { limit: number; offset: number }): { rows: InstanceRow[]; total: number } {
    const rows = this.db.sql
      .prepare(
        `SELECT sop_instance_uid AS sopInstanceUid, sop_class_uid AS sopClassUid, instance_number AS instanceNumber, path, size
         FROM library_files WHERE status = 'indexed' AND series_uid = ? ORDER BY instance_number, path LIMIT ? OFFSET ?`,
      )
      .all(seriesUid, o.limit, o.offset) as InstanceRow[];
    const total = (this.db.sql.prepare(`SELECT COUNT(*) AS n FROM library_files WHERE status = 'indexed' AND series_uid = ?`).get(seriesUid) as { n: number }).n;
    return { rows, total };
  }

  problemCount(): number {
    return (this.db.sql.prepare(`SELECT COUNT(*) AS n FROM library_files WHERE status <> 'indexed'`).get() as { n: number }).n;
  }

  /** "DOE^JANE 20260101 CT CHEST" — how a study is named in labels and reports. */
  describeStudy(studyUid: string): string | null {
    const row = this.db.sql
      .prepare(
        `SELECT patient_name AS name, patient_id AS pid, study_date AS date, study_description AS descr
         FROM library_files WHERE study_uid = ? AND status = 'indexed' LIMIT 1`,
      )
      .get(studyUid) as { name: string | null; pid: string | null; date: string | null; descr: string | null } | undefined;
    if (!row) return null;
    const text = [row.name ?? row.pid, row.date, row.descr].filter(Boolean).join(' ');
    return text || null;
  }

  /** Counts of the whole library, or of the files found under the given roots. */
  summary(roots?: readonly string[]): { studies: number; series: number; instances: number; skipped: number; conflicts: number; bytes: number } {
    const scope = roots && roots.length > 0 ? `AND root IN (${roots.map(() => '?').join(', ')})` : '';
    const args = roots && roots.length > 0 ? [...roots] : [];
    return this.db.sql
      .prepare(
        `SELECT
          COUNT(DISTINCT CASE WHEN status = 'indexed' THEN study_uid END) AS studies,
          COUNT(DISTINCT CASE WHEN status = 'indexed' THEN series_uid END) AS series,
          COALESCE(SUM(status = 'indexed'), 0) AS instances,
          COALESCE(SUM(status = 'skipped'), 0) AS skipped,
          COALESCE(SUM(status = 'conflict'), 0) AS conflicts,
          COALESCE(SUM(CASE WHEN status = 'indexed' THEN size ELSE 0 END), 0) AS bytes
         FROM library_files WHERE 1 = 1 ${scope}`,
      )
      .get(...args) as { studies: number; series: number; instances: number; skipped: number; conflicts: number; bytes: number };
  }

  /** Files that are not instances of the index: skipped ones and conflicts, with their reasons. */
  problems(o: { roots?: readonly string[]; limit: number; offset: number }): {
    path: string;
    status: 'skipped' | 'conflict';
    reason: string;
    message: string;
    size: number;
  }[] {
    const scope = o.roots && o.roots.length > 0 ? `AND root IN (${o.roots.map(() => '?').join(', ')})` : '';
    return this.db.sql
      .prepare(
        `SELECT path, status, reason, message, size FROM library_files WHERE status <> 'indexed' ${scope}
         ORDER BY path LIMIT ? OFFSET ?`,
      )
      .all(...(o.roots ?? []), o.limit, o.offset) as {
      path: string;
      status: 'skipped' | 'conflict';
      reason: string;
      message: string;
      size: number;
    }[];
  }
}
