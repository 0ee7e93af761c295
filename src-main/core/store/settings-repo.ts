import { DEFAULT_REPORT_TIMEOUT_MINUTES } from '../../../src-shared/dimse';
import type { Db } from './db';
import type { SettingsStore } from './ports';
import type { SettingsPatch, StoredSettings } from './types';

export type { SettingsPatch, StoredSettings };

export const DEFAULT_SETTINGS: StoredSettings = {
  policy: 'library',
  dimsePolicy: 'library',
  retentionDays: 30,
  syncWindowSeconds: 2,
  acceptedSopClasses: null,
  server: { host: '127.0.0.1', port: 8080, allowedHosts: [] },
  dimse: { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: 11112, peers: [] },
  reportTimeoutMinutes: DEFAULT_REPORT_TIMEOUT_MINUTES,
  tls: null,
  auditSyslog: null,
};

/** Settings in SQLite, one JSON value per key. */
export class SettingsRepo implements SettingsStore {
  constructor(private readonly db: Db) {}

  async get(): Promise<StoredSettings> {
    return this.read();
  }

  private read(): StoredSettings {
    return settingsFrom(this.db.sql.prepare(`SELECT key, value FROM settings`).all() as { key: string; value: string }[]);
  }

  /** Writes the given top-level keys (nested objects are merged with what is stored). */
  async update(patch: SettingsPatch): Promise<StoredSettings> {
    // Read, merge and write in one transaction: two updates of `dimse` cannot lose each other's keys.
    return this.db.tx(() => {
      const current = this.read();
      const put = this.db.sql.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
      for (const [key, value] of settingsToWrite(current, patch)) put.run(key, value);
      return this.read();
    });
  }
}

/** The settings from the stored rows (one JSON value per key), defaults filled in. */
export function settingsFrom(rows: readonly { key: string; value: string }[]): StoredSettings {
  const stored = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value)])) as Partial<StoredSettings>;
  return {
    ...DEFAULT_SETTINGS,
    ...stored,
    server: { ...DEFAULT_SETTINGS.server, ...stored.server },
    dimse: { ...DEFAULT_SETTINGS.dimse, ...stored.dimse },
  };
}

/** The rows a patch writes: [key, JSON value], `server` and `dimse` merged with what is stored. */
export function settingsToWrite(current: StoredSettings, patch: SettingsPatch): [string, string][] {
  const rows: [string, string][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const merged = key === 'server' || key === 'dimse' ? { ...(current[key as 'server' | 'dimse'] as object), ...(value as object) } : value;
    rows.push([key, JSON.stringify(merged)]);
  }
  return rows;
}
