import { DEFAULT_REPORT_TIMEOUT_MINUTES } from '../../../src-shared/dimse';
import type { Db } from './db';

/** Settings the user changes in the app; stored as one JSON value per key. */
export interface StoredSettings {
  /** Commitment policy of the DICOMweb origin server: 'library' or 'forward:<remote id>'. */
  policy: string;
  /** Commitment policy of the DIMSE SCP. */
  dimsePolicy: string;
  retentionDays: number;
  syncWindowSeconds: number;
  acceptedSopClasses: string[] | null;
  server: { host: string; port: number };
  /** Safekeep's DICOM listener: AE title, bind address (loopback by default), port; and the DIMSE peers. */
  dimse: { aeTitle: string; host: string; port: number; peers: { aeTitle: string; host: string; port: number }[] };
  /** How long an accepted DIMSE request waits for its N-EVENT-REPORT before it says so (it keeps waiting until its deadline). */
  reportTimeoutMinutes: number;
}

/** A change: top-level keys replace, `server` and `dimse` are merged with what is stored. */
export type SettingsPatch = Partial<Omit<StoredSettings, 'server' | 'dimse'>> & {
  server?: Partial<StoredSettings['server']>;
  dimse?: Partial<StoredSettings['dimse']>;
};

export const DEFAULT_SETTINGS: StoredSettings = {
  policy: 'library',
  dimsePolicy: 'library',
  retentionDays: 30,
  syncWindowSeconds: 2,
  acceptedSopClasses: null,
  server: { host: '127.0.0.1', port: 8080 },
  dimse: { aeTitle: 'SAFEKEEP', host: '127.0.0.1', port: 11112, peers: [] },
  reportTimeoutMinutes: DEFAULT_REPORT_TIMEOUT_MINUTES,
};

export class SettingsRepo {
  constructor(private readonly db: Db) {}

  get(): StoredSettings {
    const rows = this.db.sql.prepare(`SELECT key, value FROM settings`).all() as { key: string; value: string }[];
    const stored = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value)])) as Partial<StoredSettings>;
    return {
      ...DEFAULT_SETTINGS,
      ...stored,
      server: { ...DEFAULT_SETTINGS.server, ...stored.server },
      dimse: { ...DEFAULT_SETTINGS.dimse, ...stored.dimse },
    };
  }

  /** Writes the given top-level keys (nested objects are merged with what is stored). */
  update(patch: SettingsPatch): StoredSettings {
    const current = this.get();
    this.db.tx(() => {
      const put = this.db.sql.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        const merged =
          key === 'server' || key === 'dimse'
            ? { ...(current[key as 'server' | 'dimse'] as object), ...(value as object) }
            : value;
        put.run(key, JSON.stringify(merged));
      }
    });
    return this.get();
  }
}
