import type { ScanProgress } from '../library';

/**
 * What the core pushes to its hosts (renderer, CLI). Instance-level changes are
 * batched: one event names every transaction touched during a short interval,
 * and the receiver re-reads what it shows.
 */
export interface SafekeepEvents {
  'scan-progress': ScanProgress;
  'library-changed': { roots: string[] };
  'incoming-changed': { transactionUids: string[] };
  'outgoing-changed': { requestIds: number[] };
  'remotes-changed': { ids: number[] };
  'settings-changed': { keys: string[] };
}

export type SafekeepEventName = keyof SafekeepEvents;
