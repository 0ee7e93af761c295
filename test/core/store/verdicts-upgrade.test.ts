/**
 * The verdicts table built by the SQLite migration that introduced it, from the requests stored before (a
 * SQLite upgrade: PostgreSQL stores start with the verdicts).
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Db, migrate } from '../../../src-main/core/store/db';
import { MIGRATIONS } from '../../../src-main/core/store/migrations';
import { openSqlite } from '../../../src-main/core/store/sqlite';
import { tempDir } from '../../support/fixtures';

const CT = '1.2.840.10008.5.1.4.1.1.2';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the verdict migration', () => {
  it('builds verdicts from existing requests: latest per archive and instance, cancelled ones failed, file state where still known', async () => {
    const old = new Db(openSqlite(`${dir}/old.sqlite`), `${dir}/old.sqlite`);
    migrate(old, MIGRATIONS.slice(0, 2));
    old.sql.exec(`
      INSERT INTO library_files (path, root, size, mtime_ms, status, sop_instance_uid, sop_class_uid, study_uid, series_uid, patient_id, accession_number, study_date, indexed_at)
      VALUES ('/lib/a', '/lib', 10, 111, 'indexed', '1.1', '${CT}', '1.9', '1.9.1', 'P1', 'A1', '20250101', 500),
             ('/lib/b', '/lib', 20, 222, 'indexed', '1.2', '${CT}', '1.9', '1.9.1', 'P1', 'A1', '20250101', 5000);
      INSERT INTO jobs (id, remote_id, label, form, created_at) VALUES (1, 1, 'Old job', 'study', 1000);
      INSERT INTO outgoing (id, job_id, remote_id, remote_name, transaction_uid, state, form, instance_count, committed_count, failed_count, created_at, completed_at, proxy_for)
      VALUES (1, 1, 1, 'PACS', '2.25.1', 'done', 'study', 2, 1, 1, 1000, 2000, NULL),
             (2, 1, 1, 'PACS', '2.25.2', 'done', 'study', 1, 1, 0, 3000, 3500, NULL),
             (3, 1, 1, 'PACS', '2.25.3', 'cancelled', 'study', 1, 0, 0, 1000, 2500, NULL),
             (4, NULL, 1, 'PACS', '2.25.4', 'done', 'flat', 1, 1, 0, 1000, 1200, '2.25.4');
      INSERT INTO outgoing_instances (request_id, seq, sop_class_uid, sop_instance_uid, study_uid, series_uid, file_path, outcome, failure_reason, updated_at)
      VALUES (1, 0, '${CT}', '1.1', '1.9', '1.9.1', '/lib/a', 'committed', NULL, 2000),
             (1, 1, '${CT}', '1.2', '1.9', '1.9.1', '/lib/b', 'failed', 274, 2000),
             (2, 0, '${CT}', '1.2', '1.9', '1.9.1', '/lib/b', 'committed', NULL, 3500),
             (3, 0, '${CT}', '1.3', '1.9', '1.9.1', '/lib/c', 'pending', NULL, NULL),
             (4, 0, '${CT}', '1.8', NULL, NULL, NULL, 'committed', NULL, 1200);
    `);
    migrate(old, MIGRATIONS);
    const rows = old.sql
      .prepare(
        `SELECT sop_instance_uid AS sop, outcome, request_id AS req, detail, decided_at AS decided, file_size AS size, file_mtime_ms AS mtime, patient_id AS pid
         FROM verdicts ORDER BY sop_instance_uid`,
      )
      .all();
    expect(rows).toEqual([
      { sop: '1.1', outcome: 'committed', req: 1, detail: null, decided: 2000, size: 10, mtime: 111, pid: 'P1' },
      // Rescanned after the request: the index no longer tells the file's state when verified.
      { sop: '1.2', outcome: 'committed', req: 2, detail: null, decided: 3500, size: null, mtime: null, pid: 'P1' },
      { sop: '1.3', outcome: 'failed', req: 3, detail: 'Cancelled before the archive answered: not verified', decided: 2500, size: null, mtime: null, pid: null },
    ]);
    expect(old.sql.prepare(`SELECT failed_count AS f FROM outgoing WHERE id = 3`).get()).toEqual({ f: 1 });
    // Request 2 resends an instance of request 1: the job's report must take the latest of each.
    expect(old.sql.prepare(`SELECT id, follow_up_of AS of FROM outgoing ORDER BY id`).all()).toEqual([
      { id: 1, of: null },
      { id: 2, of: 1 },
      { id: 3, of: null },
      { id: 4, of: null },
    ]);
    old.close();
  });
});
