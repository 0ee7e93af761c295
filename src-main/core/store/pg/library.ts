import type { InstanceRow, ProblemFile, SeriesRow, StudyRow } from '../../../../src-shared/contract/handlers';
import type { CopyReason } from '../../../../src-shared/library';
import type { Selection } from '../../../../src-shared/outgoing';
import { holdersMap, INDEXED_FILE_COLUMNS, PROBLEM, READER_REV } from '../library-repo';
import { ADOPT_LIBRARY, DEFAULT_LIBRARY_NODE, nodeLiteral } from '../library-node';
import { closestRoot, covers, prefixOf, rootsBelow } from '../library-roots';
import type { LibraryStore } from '../ports';
import type { BatchCounts, FileRecord, FileState, IndexedFile, LibraryCounts, LibraryRoot, PendingComparison } from '../../library/model/files';
import { LOCKS, type PgDb, type PgTx } from './db';
import { applyBatchIn, forgetIn } from './library-batch';
import { PgWaitingCopies } from './library-copies';

type Reader = Pick<PgTx, 'rows'>;

/** "column is `root` or below it" (exact: the LIKE prefix has its wildcards escaped; byte collation lets it use the index). */
function underSql(column: string, root: string): { sql: string; args: string[] } {
  return { sql: `(${column} = ? OR ${column} LIKE ?)`, args: [root, `${prefixOf(root).replace(/[\\%_]/g, '\\$&')}%`] };
}

async function rootPaths(db: Reader, n: string): Promise<string[]> {
  return (await db.rows<{ path: string }>(`SELECT path FROM library_roots WHERE node_id = ${n} ORDER BY path`)).map((r) => r.path);
}

/**
 * One node's library index in PostgreSQL (LibraryRepo's rules). Writes hold that node's library lock: two
 * processes of one node (a CLI scan beside `serve`) write one batch at a time, as SQLite's single writer would,
 * while other nodes, whose rows are apart, scan their own libraries in parallel.
 */
export class PgLibraryRepo implements LibraryStore {
  /** This node's id as an SQL literal (library-node.ts): every statement reads and writes its rows only. */
  private readonly n: string;

  constructor(
    private readonly db: PgDb,
    readonly nodeId: string = DEFAULT_LIBRARY_NODE,
  ) {
    this.n = nodeLiteral(nodeId);
  }

  /** Takes the rows indexed before the library was per node (once, by the first node that opens the store). */
  async adopt(): Promise<void> {
    if (!(await this.db.row(`SELECT 1 AS x FROM library_roots WHERE node_id = '' UNION ALL SELECT 1 FROM library_files WHERE node_id = '' LIMIT 1`))) return;
    // Under the lock every node's adoption takes: two nodes opening the upgraded store at once never split it.
    await this.db.tx(async (t) => {
      await t.lock(LOCKS.library);
      for (const sql of ADOPT_LIBRARY) await t.run(sql, [this.nodeId]);
    });
  }

  async roots(): Promise<LibraryRoot[]> {
    return this.db.rows(`SELECT path, added_at AS "addedAt", last_scan_at AS "lastScanAt" FROM library_roots WHERE node_id = ${this.n} ORDER BY path`);
  }

  private write<T>(fn: (t: PgTx) => Promise<T>): Promise<T> {
    return this.db.tx(async (t) => {
      await t.lockNamed(`library:${this.nodeId}`);
      return fn(t);
    });
  }

  async addRoot(path: string, now: number): Promise<void> {
    await this.write(async (t) => {
      if ((await t.run(`INSERT INTO library_roots (node_id, path, added_at) VALUES (${this.n}, ?, ?) ON CONFLICT DO NOTHING`, [path, now])) === 0) return;
      const under = underSql('path', path);
      await t.run(`UPDATE library_files SET root = ? WHERE node_id = ${this.n} AND ${under.sql} AND length(root) < length(?::text)`, [path, ...under.args, path]);
    });
  }

  async markScanned(path: string, now: number): Promise<void> {
    await this.db.run(`UPDATE library_roots SET last_scan_at = ? WHERE node_id = ${this.n} AND path = ?`, [now, path]);
  }

  async ownerFinder(root: string): Promise<(path: string) => string> {
    const below = rootsBelow(root, await rootPaths(this.db, this.n));
    if (below.length === 0) return () => root;
    return (path) => below.find((b) => covers(b, path)) ?? root;
  }

  async removeRoot(path: string): Promise<{ forgotten: number; kept: number }> {
    return this.write(async (t) => {
      await t.run(`DELETE FROM library_roots WHERE node_id = ${this.n} AND path = ?`, [path]);
      const remaining = await rootPaths(t, this.n);
      const move = (to: string, where = '', args: string[] = []) => t.run(`UPDATE library_files SET root = ? WHERE node_id = ${this.n} AND root = ? ${where}`, [to, path, ...args]);
      // Folders below it (deepest first) keep their files, then the closest folder above it takes the rest.
      for (const below of rootsBelow(path, remaining)) {
        const under = underSql('path', below);
        await move(below, `AND ${under.sql}`, under.args);
      }
      const above = closestRoot(path, remaining);
      if (above) await move(above);
      const gone = (await t.rows<{ path: string }>(`SELECT path FROM library_files WHERE node_id = ${this.n} AND root = ?`, [path])).map((r) => r.path);
      await forgetIn(t, this.n, gone);
      const under = underSql('path', path);
      const kept = (await t.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM library_files WHERE node_id = ${this.n} AND ${under.sql}`, under.args))[0]!.n;
      return { forgotten: gone.length, kept };
    });
  }

  async fileStates(root: string): Promise<Map<string, FileState>> {
    const owners = [root, ...rootsBelow(root, await rootPaths(this.db, this.n))];
    const rows = await this.db.rows<{ path: string; size: number; mtimeMs: number }>(
      `SELECT path, size, mtime_ms AS "mtimeMs" FROM library_files WHERE node_id = ${this.n} AND root = ANY(?::text[]) AND reader_rev >= ${READER_REV}`,
      [owners],
    );
    return new Map(rows.map((r) => [r.path, { size: r.size, mtimeMs: r.mtimeMs }]));
  }

  async applyBatch(records: readonly FileRecord[], now: number): Promise<BatchCounts> {
    return this.write((t) => applyBatchIn(t, this.n, records, now));
  }

  async removeMissing(root: string, seen: ReadonlySet<string>): Promise<number> {
    return this.write(async (t) => {
      const below = rootsBelow(root, await rootPaths(t, this.n));
      const known = await t.rows<{ path: string }>(`SELECT path FROM library_files WHERE node_id = ${this.n} AND root = ?`, [root]);
      const gone = known.map((k) => k.path).filter((p) => !seen.has(p) && !below.some((b) => covers(b, p)));
      await forgetIn(t, this.n, gone);
      return gone.length;
    });
  }

  async findInstances(sopInstanceUids: readonly string[]): Promise<Map<string, IndexedFile>> {
    const rows = await this.db.rows<IndexedFile>(`SELECT ${INDEXED_FILE_COLUMNS} FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' AND sop_instance_uid = ANY(?::text[])`, [
      [...sopInstanceUids],
    ]);
    return new Map(rows.map((r) => [r.sopInstanceUid, r]));
  }

  async otherNodesHolding(sopInstanceUids: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await this.db.rows<{ sop: string; node: string }>(
      `SELECT DISTINCT sop_instance_uid AS sop, node_id AS node FROM library_files
       WHERE status = 'indexed' AND node_id <> ${this.n} AND sop_instance_uid = ANY(?::text[])`,
      [[...sopInstanceUids]],
    );
    return holdersMap(rows);
  }

  async select(sel: Selection): Promise<IndexedFile[]> {
    const where = selectionWhere(sel);
    if (!where) return [];
    return this.db.rows(`SELECT ${INDEXED_FILE_COLUMNS} FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' AND ${where.sql}`, where.args);
  }

  async countSelection(sel: Selection): Promise<number> {
    const where = selectionWhere(sel);
    if (!where) return 0;
    return (await this.db.row<{ n: number }>(`SELECT COUNT(*) AS n FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' AND ${where.sql}`, where.args))!.n;
  }

  /** NULLs sort as in SQLite (first going up, last going down); the search ignores case, as SQLite's LIKE does. */
  async studies(o: { search?: string; limit: number; offset: number }): Promise<{ rows: StudyRow[]; total: number }> {
    const args: unknown[] = [];
    let filter = '';
    if (o.search && o.search.trim()) {
      const like = `%${o.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      filter = `AND (patient_name ILIKE ? OR patient_id ILIKE ? OR accession_number ILIKE ? OR study_description ILIKE ? OR study_uid ILIKE ? OR study_date ILIKE ?)`;
      args.push(like, like, like, like, like, like);
    }
    const rows = await this.db.rows<StudyRow>(
      `SELECT study_uid AS "studyUid", MAX(patient_name) AS "patientName", MAX(patient_id) AS "patientId", MAX(study_date) AS "studyDate",
         MAX(study_description) AS "studyDescription", MAX(accession_number) AS "accessionNumber",
         string_agg(DISTINCT modality, ',' ORDER BY modality) AS modalities, COUNT(DISTINCT series_uid) AS "seriesCount", COUNT(*) AS "instanceCount"
       FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' ${filter}
       GROUP BY study_uid ORDER BY "studyDate" DESC NULLS LAST, "patientName" NULLS FIRST, study_uid LIMIT ? OFFSET ?`,
      [...args, o.limit, o.offset],
    );
    const total = (await this.db.row<{ n: number }>(`SELECT COUNT(DISTINCT study_uid) AS n FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' ${filter}`, args))!.n;
    return { rows, total };
  }

  async series(studyUid: string): Promise<SeriesRow[]> {
    return this.db.rows(
      `SELECT series_uid AS "seriesUid", MAX(series_number) AS "seriesNumber", MAX(series_description) AS "seriesDescription",
         MAX(modality) AS modality, COUNT(*) AS "instanceCount"
       FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' AND study_uid = ? GROUP BY series_uid ORDER BY "seriesNumber" NULLS FIRST, series_uid`,
      [studyUid],
    );
  }

  async instancesOfSeries(seriesUid: string, o: { limit: number; offset: number }): Promise<{ rows: InstanceRow[]; total: number }> {
    const rows = await this.db.rows<InstanceRow>(
      `SELECT sop_instance_uid AS "sopInstanceUid", sop_class_uid AS "sopClassUid", instance_number AS "instanceNumber", path, size
       FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' AND series_uid = ? ORDER BY instance_number NULLS FIRST, path LIMIT ? OFFSET ?`,
      [seriesUid, o.limit, o.offset],
    );
    const total = (await this.db.row<{ n: number }>(`SELECT COUNT(*) AS n FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' AND series_uid = ?`, [seriesUid]))!.n;
    return { rows, total };
  }

  async problemCount(): Promise<number> {
    return (await this.db.row<{ n: number }>(`SELECT COUNT(*) AS n FROM library_files WHERE node_id = ${this.n} AND ${PROBLEM}`))!.n;
  }

  async describeStudies(studyUids: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.db.rows<{ uid: string; name: string | null; pid: string | null; date: string | null; descr: string | null }>(
      `SELECT DISTINCT ON (study_uid) study_uid AS uid, patient_name AS name, patient_id AS pid, study_date AS date, study_description AS descr
       FROM library_files WHERE node_id = ${this.n} AND status = 'indexed' AND study_uid = ANY(?::text[]) ORDER BY study_uid, indexed_at, path`,
      [[...studyUids]],
    );
    const named = new Map<string, string>();
    for (const row of rows) {
      const text = [row.name ?? row.pid, row.date, row.descr].filter(Boolean).join(' ');
      if (text) named.set(row.uid, text);
    }
    return named;
  }

  /** `roots` and the library folders below them (their files belong to the closest folder). */
  private async scope(roots: readonly string[] | undefined): Promise<{ sql: string; args: unknown[] }> {
    if (!roots || roots.length === 0) return { sql: '', args: [] };
    const all = await rootPaths(this.db, this.n);
    return { sql: `AND root = ANY(?::text[])`, args: [[...new Set(roots.flatMap((r) => [r, ...rootsBelow(r, all)]))]] };
  }

  async summary(roots?: readonly string[]): Promise<LibraryCounts> {
    const scope = await this.scope(roots);
    const n = (where: string) => `COUNT(*) FILTER (WHERE ${where})`;
    return (await this.db.row<LibraryCounts>(
      `SELECT
        COUNT(DISTINCT CASE WHEN status = 'indexed' THEN study_uid END) AS studies,
        COUNT(DISTINCT CASE WHEN status = 'indexed' THEN series_uid END) AS series,
        ${n(`status = 'indexed'`)} AS instances,
        ${n(`status = 'skipped'`)} AS skipped,
        ${n(`status = 'conflict' AND reason <> 'duplicate-copy'`)} AS conflicts,
        ${n(`status = 'conflict' AND reason = 'duplicate-copy'`)} AS duplicates,
        ${n(`status = 'indexed' AND flag IS NOT NULL`)} AS flagged,
        COALESCE(SUM(CASE WHEN status = 'indexed' THEN size ELSE 0 END), 0) AS bytes
       FROM library_files WHERE node_id = ${this.n} ${scope.sql}`,
      scope.args,
    ))!;
  }

  async problems(o: { roots?: readonly string[]; limit: number; offset: number }): Promise<ProblemFile[]> {
    const scope = await this.scope(o.roots);
    return this.db.rows(
      `SELECT path,
         CASE WHEN status = 'indexed' THEN 'flagged' WHEN reason = 'duplicate-copy' THEN 'duplicate' ELSE status END AS status,
         COALESCE(flag, reason) AS reason, COALESCE(flag_message, message) AS message, size
       FROM library_files WHERE node_id = ${this.n} AND ${PROBLEM} ${scope.sql}
       ORDER BY path LIMIT ? OFFSET ?`,
      [...scope.args, o.limit, o.offset],
    );
  }

  async pendingCopies(after: string, limit: number): Promise<PendingComparison[]> {
    return this.db.tx((t) => new PgWaitingCopies(t, this.n).pending(after, limit));
  }

  async settleCopy(c: PendingComparison, outcome: { hash: string; holderHash: string } | { error: string }): Promise<CopyReason | null> {
    return this.write((t) => new PgWaitingCopies(t, this.n).settle(c, outcome));
  }
}

/** The WHERE condition of a selection (null when it selects nothing). */
function selectionWhere(sel: Selection): { sql: string; args: unknown[] } | null {
  const parts: string[] = [];
  const args: unknown[] = [];
  for (const [column, values] of [
    ['study_uid', sel.studies],
    ['sop_instance_uid', sel.instances],
    ['series_uid', sel.series],
  ] as const) {
    if (!values || values.length === 0) continue;
    parts.push(`${column} = ANY(?::text[])`);
    args.push(values);
  }
  for (const p of sel.paths ?? []) {
    const under = underSql('path', p);
    parts.push(under.sql);
    args.push(...under.args);
  }
  return parts.length === 0 ? null : { sql: `(${parts.join(' OR ')})`, args };
}
