import type { HandlerName } from '../../../src-shared/contract/schemas';
import type { Target } from './invalidation';

const all = (...handlers: HandlerName[]): Target[] => handlers.map((handler) => ({ handler }));

export const LIBRARY_QUERIES: HandlerName[] = ['library-summary', 'library-studies', 'library-series', 'library-instances', 'library-problems', 'library-count-selection'];

/** Which queries an event makes stale. Lists and totals always; single items only when named. */
export const EVENT_TARGETS = {
  'outgoing-changed': ({ requestIds }: { requestIds: number[] }): Target[] => [
    ...all('outgoing-list', 'outgoing-totals', 'report-summary', 'report-studies', 'report-timeline', 'report-archives'),
    { handler: 'outgoing-get', only: { field: 'id', ids: requestIds } },
    { handler: 'outgoing-instances', only: { field: 'id', ids: requestIds } },
  ],
  'incoming-changed': ({ transactionUids }: { transactionUids: string[] }): Target[] =>
    // An empty list means "some, unnamed" (retention): refresh everything incoming.
    transactionUids.length === 0
      ? all('incoming-list', 'incoming-get', 'incoming-instances')
      : [
          ...all('incoming-list'),
          { handler: 'incoming-get', only: { field: 'transactionUid', ids: transactionUids } },
          { handler: 'incoming-instances', only: { field: 'transactionUid', ids: transactionUids } },
        ],
  'library-changed': (): Target[] => all(...LIBRARY_QUERIES, 'library-scan-state'),
  'remotes-changed': (): Target[] => all('remotes-list', 'report-archives'),
  'settings-changed': (): Target[] => all('settings-get'),
  'dimse-listener-changed': (): Target[] => all('settings-get'),
} as const;
