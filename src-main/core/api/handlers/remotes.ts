import type { DimseListenerState } from '../../../../src-shared/dimse';
import type { RemotesService } from '../../services/remotes';
import type { DomainHandlers } from './types';

export function remotesHandlers(remotes: RemotesService, listener: { state(): DimseListenerState }): DomainHandlers<'remotes-' | 'dimse-'> {
  return {
    'remotes-list': () => remotes.list(),
    'remotes-save': ({ id, input }) => remotes.save(input, id),
    'remotes-delete': async ({ id }) => {
      await remotes.delete(id);
      return {};
    },
    'remotes-test': ({ id }) => remotes.test(id),
    'remotes-find': (by) => remotes.find(by),
    'dimse-listener': () => listener.state(),
  };
}
