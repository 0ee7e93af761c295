import type { OutgoingState } from '../../../../src-shared/outgoing';
import type { OutgoingService } from '../../services/outgoing';
import type { DomainHandlers } from './types';

export function outgoingHandlers(outgoing: OutgoingService): DomainHandlers<'outgoing-'> {
  const { read } = outgoing;
  return {
    'outgoing-create': (a) => outgoing.submit({ remoteId: a.remoteId, selection: a.selection, form: a.form, ...(a.label ? { label: a.label } : {}) }),
    'outgoing-list': (a) =>
      read.list({
        limit: a.limit,
        offset: a.offset,
        ...(a.state ? { state: a.state as OutgoingState } : {}),
        ...(a.remoteId ? { remoteId: a.remoteId } : {}),
        ...(a.jobId ? { jobId: a.jobId } : {}),
      }),
    'outgoing-get': ({ id }) => read.get(id),
    'outgoing-find': async ({ transactionUid }) => (await read.findByUid(transactionUid)) ?? null,
    'outgoing-active': () => read.active(),
    'outgoing-progress': ({ requestIds, until }) => outgoing.progress(requestIds, until),
    'outgoing-instances': ({ id, ...o }) => read.instances(id, o),
    'outgoing-cancel': ({ id }) => outgoing.cancel(id),
    'outgoing-resend': ({ id }) => outgoing.resend(id),
    'outgoing-resend-failed': ({ id, exclude }) => outgoing.resendFailed(id, exclude ? new Set(exclude) : undefined),
    'outgoing-totals': () => read.totals(),
  };
}
