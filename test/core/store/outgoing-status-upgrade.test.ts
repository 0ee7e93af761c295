import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE, Db, migrate } from '../../../src-main/core/store/db';
import { MIGRATIONS } from '../../../src-main/core/store/migrations';
import { OutgoingRepo } from '../../../src-main/core/store/outgoing-repo';
import { openSqlite } from '../../../src-main/core/store/sqlite';
import { tempDir } from '../../support/fixtures';

/** Requests stored when a DIMSE status was kept in the HTTP status column. */
describe('outgoing requests from an earlier Safekeep', () => {
  let root: string;
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('get their protocol and keep their last status, DIMSE statuses no longer called HTTP', async () => {
    root = tempDir();
    const before = MIGRATIONS.findIndex((m) => m.includes('ADD COLUMN protocol'));
    expect(before).toBeGreaterThan(0);
    const db = new Db(openSqlite(path.join(root, DB_FILE)), DB_FILE);
    migrate(db, MIGRATIONS.slice(0, before));
    const remote = db.sql.prepare(`INSERT INTO remotes (id, name, kind, config, created_at, updated_at) VALUES (?, ?, ?, '{}', 1, 1)`);
    remote.run(1, 'web', 'dicomweb');
    remote.run(2, 'pacs', 'dimse');
    const request = db.sql.prepare(
      `INSERT INTO outgoing (id, remote_id, remote_name, transaction_uid, state, form, instance_count, created_at, http_status, error)
       VALUES (?, ?, ?, ?, ?, 'flat', 1, 1, ?, ?)`,
    );
    request.run(1, 1, 'web', '1.1', 'done', 200, null); // DICOMweb: an HTTP status
    request.run(2, 2, 'pacs', '1.2', 'failed', 0x0122, 'The archive refused the N-ACTION: 0122H'); // DIMSE: its N-ACTION-RSP status
    request.run(3, 9, 'gone', '1.3', 'working', 0, null); // DIMSE, remote deleted: 0 is no HTTP status
    request.run(4, 8, 'gone too', '1.4', 'failed', 0x0110, 'Association rejected by the archive'); // DIMSE, remote deleted, by its words
    request.run(5, 7, 'old web', '1.5', 'failed', 503, 'HTTP 503 from the archive'); // DICOMweb, remote deleted
    migrate(db, MIGRATIONS);

    const repo = new OutgoingRepo(db);
    const got = await Promise.all([1, 2, 3, 4, 5].map((id) => repo.get(id)));
    expect(got.map((r) => [r.protocol, r.status])).toEqual([
      ['dicomweb', 200],
      ['dimse', 0x0122],
      ['dimse', 0],
      ['dimse', 0x0110],
      ['dicomweb', 503],
    ]);
    expect(db.sql.prepare(`SELECT name FROM pragma_table_info('outgoing') WHERE name = 'http_status'`).get()).toBeUndefined();
    db.close();
  });
});
