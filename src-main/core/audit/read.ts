import fs from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import type { AuditEntry } from '../../../src-shared/audit';
import { AUDIT_EVENTS, type AuditEventName } from './message';
import { auditFiles } from './files';

/** One recorded audit message, read back (what `safekeep audit` prints), with its XML. */
export interface AuditRecord extends AuditEntry {
  xml: string;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', processEntities: true, isArray: (n) => n === 'ActiveParticipant' || n === 'ParticipantObjectDetail' });

/** The audit messages of a folder, oldest first, from `since` (ms since the epoch) on. */
export function readAudit(dir: string, since = 0): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const file of auditFiles(dir)) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line.startsWith('<AuditMessage>')) continue;
      const r = parseAuditXml(line);
      if (Date.parse(r.time) >= since) out.push(r);
    }
  }
  return out;
}

export function parseAuditXml(xml: string): AuditRecord {
  const m = parser.parse(xml).AuditMessage;
  const ev = m.EventIdentification;
  const requestor = (m.ActiveParticipant as Record<string, string>[]).find((p) => p.UserIsRequestor === 'true') ?? {};
  const object = m.ParticipantObjectIdentification;
  const event =
    (Object.entries(AUDIT_EVENTS).find(([, d]) => d.type.code === ev.EventTypeCode?.['csd-code'] && d.action === ev.EventActionCode)?.[0] as AuditEventName | undefined) ??
    ev.EventTypeCode?.originalText ??
    ev.EventID?.originalText;
  const detail: Record<string, string> = {};
  for (const d of (object?.ParticipantObjectDetail ?? []) as { type: string; value: string }[]) detail[d.type] = Buffer.from(d.value, 'base64').toString('utf8');
  return {
    time: ev.EventDateTime,
    event,
    outcome: Number(ev.EventOutcomeIndicator),
    user: requestor.UserID ?? '',
    address: requestor.NetworkAccessPointID ?? null,
    object: object?.ParticipantObjectID ?? null,
    detail,
    description: typeof ev.EventOutcomeDescription === 'string' ? ev.EventOutcomeDescription : null,
    xml,
  };
}

/** The app's view (Settings): newest first, filtered by time, event and a text in who/where/what. */
export function listAudit(dir: string, o: { since?: number; event?: string; search?: string; limit: number }): AuditEntry[] {
  const needle = o.search?.trim().toLowerCase();
  return readAudit(dir, o.since ?? 0)
    .filter((r) => !o.event || r.event === o.event)
    .filter((r) => !needle || [r.user, r.address, r.object, r.description, ...Object.values(r.detail)].some((v) => v?.toLowerCase().includes(needle)))
    .reverse()
    .slice(0, o.limit)
    .map(({ xml: _xml, ...entry }) => entry);
}
