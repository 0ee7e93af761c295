import type { SettingsStore } from '../ports';
import { settingsFrom, settingsToWrite } from '../settings-repo';
import type { SettingsPatch, StoredSettings } from '../types';
import { LOCKS, type PgDb } from './db';

/** Settings in PostgreSQL, one JSON value per key. */
export class PgSettingsRepo implements SettingsStore {
  constructor(private readonly db: PgDb) {}

  async get(): Promise<StoredSettings> {
    return settingsFrom(await this.db.rows(`SELECT key, value FROM settings`));
  }

  /** Read, merge and write under one lock: two nodes updating `dimse` at once keep each other's keys. */
  async update(patch: SettingsPatch): Promise<StoredSettings> {
    return this.db.tx(async (t) => {
      await t.lock(LOCKS.settings);
      const current = settingsFrom(await t.rows(`SELECT key, value FROM settings`));
      const rows = settingsToWrite(current, patch);
      if (rows.length > 0) {
        await t.run(
          `INSERT INTO settings (key, value) SELECT * FROM unnest(?::text[], ?::text[]) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
          [rows.map((r) => r[0]), rows.map((r) => r[1])],
        );
      }
      return settingsFrom(await t.rows(`SELECT key, value FROM settings`));
    });
  }
}
