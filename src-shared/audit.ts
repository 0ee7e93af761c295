/** The audit trail's events (issue 12 §4), as the core records them and the app filters them. */
export const AUDIT_EVENT_NAMES = [
  'application-start',
  'application-stop',
  'login',
  'logout',
  'commitment-request-received',
  'commitment-request-sent',
  'token-created',
  'token-revoked',
  'remote-changed',
  'setting-changed',
  'report-exported',
  'safe-to-delete-exported',
] as const;

export type AuditEventName = (typeof AUDIT_EVENT_NAMES)[number];

/** One audit message as read back from the trail (the DICOM Audit Message's main fields). */
export interface AuditEntry {
  /** ISO 8601, UTC. */
  time: string;
  event: AuditEventName | string;
  /** 0 success, 4 minor failure (refused), 8 serious, 12 major failure (RFC 3881). */
  outcome: number;
  user: string;
  address: string | null;
  /** What it was about: a Transaction UID, a client, a remote... */
  object: string | null;
  detail: Record<string, string>;
  description: string | null;
}
