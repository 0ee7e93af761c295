import { AppError } from '../../../../src-shared/contract/errors';
import type { IncomingService } from '../../services/incoming';
import type { DomainHandlers } from './types';

export function incomingHandlers(incoming: IncomingService): DomainHandlers<'incoming-'> {
  const { read } = incoming;
  return {
    'incoming-list': (a) => read.list(a),
    'incoming-get': async ({ transactionUid }) => {
      const t = await read.get(transactionUid);
      if (!t) throw new AppError('not-found', `No incoming transaction ${transactionUid}`);
      return t;
    },
    'incoming-instances': ({ transactionUid, ...o }) => read.instances(transactionUid, o),
  };
}
