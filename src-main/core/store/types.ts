import type { ServerTlsFiles } from '../../../src-shared/tls';
/**
 * The records only the store and its small domains hold (settings, tokens, sessions). The data of the main
 * domains is defined with them and imported here by the ports: library/model, engine/model (outgoing
 * requests), incoming/model, report/model, remotes/model.
 */

// ---- settings ----

/** Settings the user changes in the app; stored as one JSON value per key. */
export interface StoredSettings {
  /** Commitment policy of the DICOMweb origin server: 'library' or 'forward:<remote id>'. */
  policy: string;
  /** Commitment policy of the DIMSE SCP. */
  dimsePolicy: string;
  retentionDays: number;
  syncWindowSeconds: number;
  acceptedSopClasses: string[] | null;
  /** allowedHosts: host names the HTTP server answers to besides loopback and its listen address (DNS rebinding guard). */
  server: { host: string; port: number; allowedHosts: string[] };
  /** Safekeep's DICOM listener: AE title, bind address (loopback by default), port; and the DIMSE peers. */
  dimse: { aeTitle: string; host: string; port: number; peers: { aeTitle: string; host: string; port: number }[] };
  /** How long an accepted DIMSE request waits for its N-EVENT-REPORT before it says so (it keeps waiting until its deadline). */
  reportTimeoutMinutes: number;
  /** Safekeep's certificate for every listener (HTTPS, DICOM TLS), applied at the next start; null: plain. */
  tls: ServerTlsFiles | null;
  /** A syslog collector for the audit trail (udp:// or tls://, with a CA file for TLS); applies at the next start. */
  auditSyslog: { url: string; caFile: string | null } | null;
}

/** A change: top-level keys replace, `server` and `dimse` are merged with what is stored. */
export type SettingsPatch = Partial<Omit<StoredSettings, 'server' | 'dimse'>> & {
  server?: Partial<StoredSettings['server']>;
  dimse?: Partial<StoredSettings['dimse']>;
};

// ---- tokens, sessions ----

export interface TokenInfo {
  id: number;
  client: string;
  /** First characters of the secret, to tell tokens apart without revealing them. */
  hint: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface NewSession {
  idHash: string;
  client: string;
  tokenId: number | null;
  createdAt: number;
  expiresAt: number;
}
