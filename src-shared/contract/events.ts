import type { DimseListenerState } from '../dimse';
import type { ContentProgress } from '../content';
import type { CrossCheckProgress } from '../crosscheck';
import type { ScanProgress } from '../library';
import type { ResendProgress } from '../resend';

/**
 * The stored data a write can touch. After each write the core announces `data-changed` with the
 * tables it touched (batched); a host re-reads whatever it shows from those tables.
 */
export const DATA_TABLES = ['library', 'outgoing', 'verdicts', 'incoming', 'remotes', 'settings', 'tokens', 'nodes'] as const;
export type DataTable = (typeof DATA_TABLES)[number];

/**
 * What the core pushes to its hosts (renderer, CLI). Data changes are batched: one
 * event names every table written during a short interval, and the receiver re-reads
 * what it shows from them.
 */
export interface SafekeepEvents {
  /** Stored data changed (batched): every query reading one of these tables is stale. */
  'data-changed': { tables: DataTable[] };
  'scan-progress': ScanProgress;
  /** The DICOM listener started, stopped, failed or moved (AE title, address, port). */
  'dimse-listener-changed': DimseListenerState;
  /** A send-missing run: per round, sending (instances/s, MB/s, time left) then committing. */
  'resend-progress': ResendProgress & { remoteId: number };
  /** A cross-check: studies asked so far. */
  'compare-progress': CrossCheckProgress & { remoteId: number };
  /** A content check: instances retrieved and compared so far (instances/s, MB/s, time left). */
  'content-progress': ContentProgress & { remoteId: number };
}

export type SafekeepEventName = keyof SafekeepEvents;
