import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDb, schemaVersion } from '../../../src-main/core/store/db';
import { MIGRATIONS } from '../../../src-main/core/store/migrations';
import { tempDir } from '../../support/fixtures';

describe('store', () => {
  it('creates the schema in WAL mode and is idempotent on reopen', () => {
    const dir = tempDir();
    const db = openDb(dir);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect((db.sql.prepare('PRAGMA journal_mode').get() as any).journal_mode).toBe('wal');
    db.sql.prepare(`INSERT INTO settings (key, value) VALUES ('a', '1')`).run();
    db.close();
    const again = openDb(dir);
    expect(schemaVersion(again)).toBe(MIGRATIONS.length);
    expect(again.sql.prepare(`SELECT value FROM settings WHERE key = 'a'`).get()).toEqual({ value: '1' });
    again.close();
    expect((fs.statSync(path.join(dir, 'safekeep.sqlite')).mode & 0o777).toString(8)).toBe('600');
    fs.rmSync(dir, { recursive: true });
  });

  it('applies only the new migrations, each atomically', () => {
    const dir = tempDir();
    const db = openDb(dir);
    migrate(db, [...MIGRATIONS, `CREATE TABLE extra (x INTEGER)`]);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length + 1);
    // A failing migration leaves the version and the schema as they were.
    expect(() => migrate(db, [...MIGRATIONS, `CREATE TABLE extra (x INTEGER)`, `CREATE TABLE y (a); SELECT nonsense FROM nowhere`])).toThrow();
    expect(schemaVersion(db)).toBe(MIGRATIONS.length + 1);
    expect(db.sql.prepare(`SELECT name FROM sqlite_master WHERE name = 'y'`).get()).toBeUndefined();
    db.close();
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses a store from a newer Safekeep', () => {
    const dir = tempDir();
    const db = openDb(dir);
    db.sql.exec(`PRAGMA user_version = ${MIGRATIONS.length + 5}`);
    db.close();
    expect(() => openDb(dir)).toThrow(/newer than this Safekeep/);
    fs.rmSync(dir, { recursive: true });
  });
});
