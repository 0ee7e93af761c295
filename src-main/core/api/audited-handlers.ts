import { toAppError } from '../../../src-shared/contract/errors';
import { redactUrls } from '../../../src-shared/redact';
import type { HandlerName } from '../../../src-shared/contract/schemas';
import type { CoreHandlers } from './handlers';
import { currentActor } from '../audit/actor';
import type { AuditEvent, AuditEventName } from '../audit/message';
import type { AuditTrail } from '../audit/trail';

type Described = { event: AuditEventName; object?: AuditEvent['object'] };

/** The handler calls that are security-relevant, and what each one's audit message says. */
const AUDITED: Partial<Record<HandlerName, (args: any, result: any) => Described>> = {
  'tokens-create': (a: { client: string }, r?: { token?: { id: number } }) => ({ event: 'token-created', object: { id: a.client, kind: 'client', detail: r?.token ? { tokenId: r.token.id } : ({} as Record<string, number>) } }),
  'tokens-revoke': (a: { id: number }) => ({ event: 'token-revoked', object: { id: String(a.id), kind: 'token' } }),
  'settings-update': (a: Record<string, unknown>) => ({ event: 'setting-changed', object: { id: Object.keys(a).sort().join(','), kind: 'settings', detail: { patch: JSON.stringify(a).slice(0, 2000) } } }),
  // The URL as shown everywhere: its password hidden.
  'settings-database': (a: { url: string | null; importHistory?: boolean }) => ({
    event: 'setting-changed',
    object: { id: 'database', kind: 'settings', detail: { url: redactUrls(a.url ?? 'sqlite'), importHistory: a.importHistory === true ? 'yes' : 'no' } },
  }),
  'remotes-save': (a: { id?: number; input: { name: string; kind: string } }, r?: { id?: number }) => ({
    event: 'remote-changed',
    object: { id: a.input.name, kind: 'remote', detail: { action: a.id === undefined ? 'added' : 'updated', kind: a.input.kind, ...(r?.id !== undefined ? { remoteId: r.id } : {}) } },
  }),
  'remotes-delete': (a: { id: number }) => ({ event: 'remote-changed', object: { id: String(a.id), kind: 'remote', detail: { action: 'deleted' } } }),
  'outgoing-create': (a: { remoteId: number }, r?: { jobId?: number; requestIds?: number[]; instances?: number }) => ({
    event: 'commitment-request-sent',
    object: { id: r?.jobId !== undefined ? `job ${r.jobId}` : `remote ${a.remoteId}`, kind: 'job', detail: { remoteId: a.remoteId, ...(r?.instances !== undefined ? { instances: r.instances, requests: r.requestIds!.length } : {}) } },
  }),
  'report-csv': (a: Record<string, unknown>) => ({ event: 'report-exported', object: { id: JSON.stringify(a), kind: 'report-scope' } }),
  'report-safe-to-delete': (a: { remoteId: number }) => ({ event: 'safe-to-delete-exported', object: { id: String(a.remoteId), kind: 'remote' } }),
  'report-csv-file': (a: Record<string, unknown>) => ({ event: 'report-exported', object: { id: JSON.stringify(a), kind: 'report-scope' } }),
  'report-safe-to-delete-file': (a: { remoteId: number; path: string }) => ({ event: 'safe-to-delete-exported', object: { id: String(a.remoteId), kind: 'remote', detail: { path: a.path } } }),
};

/** The handlers, with each security-relevant call (done or refused) written to the audit trail as its caller. */
export function auditedHandlers(handlers: CoreHandlers, audit: AuditTrail): CoreHandlers {
  const wrapped = { ...handlers } as Record<string, (args: unknown) => unknown>;
  for (const [name, describe] of Object.entries(AUDITED)) {
    const inner = wrapped[name]!;
    wrapped[name] = async (args: unknown) => {
      const actor = currentActor();
      try {
        const result = await inner(args);
        audit.record({ ...describe!(args, result), outcome: 0, user: actor.user, address: actor.address });
        return result;
      } catch (e) {
        audit.record({ ...describe!(args, undefined), outcome: 4, user: actor.user, address: actor.address, description: toAppError(e).message });
        throw e;
      }
    };
  }
  return wrapped as CoreHandlers;
}
