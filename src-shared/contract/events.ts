import type { DimseListenerState } from '../dimse';
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
  /** The DICOM listener started, stopped, failed or moved (AE title, address, port). */
  'dimse-listener-changed': DimseListenerState;
}

export type SafekeepEventName = keyof SafekeepEvents;
