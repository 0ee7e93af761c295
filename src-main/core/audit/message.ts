import os from 'node:os';
import type { AuditEventName } from '../../../src-shared/audit';

export type { AuditEventName };

/** A coded value of an audit message (PS3.15 A.5: csd-code, codeSystemName, originalText). */
export interface AuditCode {
  code: string;
  system: 'DCM' | 'RFC-3881' | 'Safekeep';
  text: string;
}

const dcm = (code: string, text: string): AuditCode => ({ code, system: 'DCM', text });

/** The events Safekeep records, each with its DICOM EventID / EventTypeCode (PS3.16 CID 400, 401). */
export const AUDIT_EVENTS = {
  'application-start': { id: dcm('110100', 'Application Activity'), type: dcm('110120', 'Application Start'), action: 'E' },
  'application-stop': { id: dcm('110100', 'Application Activity'), type: dcm('110121', 'Application Stop'), action: 'E' },
  login: { id: dcm('110114', 'User Authentication'), type: dcm('110122', 'Login'), action: 'E' },
  logout: { id: dcm('110114', 'User Authentication'), type: dcm('110123', 'Logout'), action: 'E' },
  'commitment-request-received': { id: dcm('110103', 'DICOM Instances Accessed'), type: { code: 'SK-IN', system: 'Safekeep', text: 'Storage Commitment Request Received' }, action: 'R' },
  'commitment-request-sent': { id: dcm('110103', 'DICOM Instances Accessed'), type: { code: 'SK-OUT', system: 'Safekeep', text: 'Storage Commitment Request Sent' }, action: 'E' },
  'token-created': { id: dcm('110113', 'Security Alert'), type: dcm('110137', 'User Security Attributes Changed'), action: 'C' },
  'token-revoked': { id: dcm('110113', 'Security Alert'), type: dcm('110137', 'User Security Attributes Changed'), action: 'D' },
  'remote-changed': { id: dcm('110113', 'Security Alert'), type: dcm('110128', 'Network Configuration'), action: 'U' },
  'setting-changed': { id: dcm('110113', 'Security Alert'), type: dcm('110131', 'Software Configuration'), action: 'U' },
  'report-exported': { id: dcm('110106', 'Export'), type: { code: 'SK-REPORT', system: 'Safekeep', text: 'Commitment Report Exported' }, action: 'R' },
  'safe-to-delete-exported': { id: dcm('110106', 'Export'), type: { code: 'SK-SAFE', system: 'Safekeep', text: 'Safe-to-delete List Exported' }, action: 'R' },
} as const satisfies Record<AuditEventName, { id: AuditCode; type: AuditCode; action: 'C' | 'R' | 'U' | 'D' | 'E' }>;

/** What happened, in Safekeep's terms; toAuditXml() turns it into the DICOM Audit Message. */
export interface AuditEvent {
  event: AuditEventName;
  /** ISO 8601 (UTC). */
  time: string;
  /** 0 success, 4 minor failure (e.g. a wrong login code), 8 serious failure. */
  outcome: 0 | 4 | 8 | 12;
  /** Who: a client name, the local operator, or what the requester claimed. */
  user: string;
  /** From where: an IP address (or a host name), when known. */
  address?: string;
  /** What it was about, e.g. a Transaction UID, a token's client, a remote's name. */
  object?: { id: string; kind: string; detail?: Record<string, string | number> };
  description?: string;
}

/** The RFC 3881 participant object type for what Safekeep records (2: system object). */
const SYSTEM_OBJECT = '2';

/** One DICOM Audit Message (PS3.15 A.5.1, the RFC 3881-based schema), on one line. */
export function toAuditXml(e: AuditEvent, source = auditSourceId()): string {
  const def = AUDIT_EVENTS[e.event];
  const code = (tag: string, c: AuditCode) => `<${tag} csd-code="${x(c.code)}" codeSystemName="${x(c.system)}" originalText="${x(c.text)}"/>`;
  const parts = [
    `<AuditMessage>`,
    `<EventIdentification EventActionCode="${def.action}" EventDateTime="${x(e.time)}" EventOutcomeIndicator="${e.outcome}">`,
    code('EventID', def.id),
    code('EventTypeCode', def.type),
    e.description ? `<EventOutcomeDescription>${x(e.description)}</EventOutcomeDescription>` : '',
    `</EventIdentification>`,
    `<ActiveParticipant UserID="${x(e.user)}" UserIsRequestor="true"${e.address ? ` NetworkAccessPointID="${x(e.address)}" NetworkAccessPointTypeCode="${/^[\d.:a-f]+$/i.test(e.address) ? 2 : 1}"` : ''}/>`,
    `<ActiveParticipant UserID="safekeep" AlternativeUserID="${process.pid}" UserIsRequestor="false">${code('RoleIDCode', dcm('110153', 'Source Role ID'))}</ActiveParticipant>`,
    `<AuditSourceIdentification AuditSourceID="${x(source)}">${code('AuditSourceTypeCode', { code: '4', system: 'RFC-3881', text: 'Application Server Process' })}</AuditSourceIdentification>`,
    e.object
      ? `<ParticipantObjectIdentification ParticipantObjectID="${x(e.object.id)}" ParticipantObjectTypeCode="${SYSTEM_OBJECT}">` +
        code('ParticipantObjectIDTypeCode', { code: e.object.kind, system: 'Safekeep', text: e.object.kind }) +
        Object.entries(e.object.detail ?? {})
          .map(([k, v]) => `<ParticipantObjectDetail type="${x(k)}" value="${Buffer.from(String(v)).toString('base64')}"/>`)
          .join('') +
        `</ParticipantObjectIdentification>`
      : '',
    `</AuditMessage>`,
  ];
  return parts.join('');
}

export function auditSourceId(): string {
  return `safekeep@${os.hostname()}`;
}

/** XML attribute/text escaping; control characters (never valid in XML 1.0) become spaces. */
function x(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x1f\x7f]/g, ' ');
}
