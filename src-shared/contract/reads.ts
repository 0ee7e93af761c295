import type { DataTable } from './events';
import type { HandlerName } from './schemas';

/**
 * The stored data each handler's answer is made of. A host that shows an answer re-reads it after a
 * `data-changed` event naming one of these tables. Handlers whose answer is pushed by its own event
 * (scan state, DICOM listener) or made of nothing stored read no table.
 * Complete by construction: a new handler without an entry does not compile.
 */
export const HANDLER_READS = {
  'library-summary': ['library'],
  // Pushed by scan-progress.
  'library-scan-state': [],
  'library-add-folders': ['library'],
  'library-rescan': ['library'],
  'library-scan': ['library'],
  'library-cancel-scan': [],
  'library-remove-root': ['library'],
  'library-studies': ['library'],
  'library-series': ['library'],
  'library-instances': ['library'],
  'library-problems': ['library'],
  'library-count-selection': ['library'],

  'remotes-list': ['remotes'],
  'remotes-save': ['remotes'],
  // A remote with active requests cannot be deleted.
  'remotes-delete': ['remotes', 'outgoing'],
  'remotes-test': ['remotes'],
  'remotes-find': ['remotes'],
  // Pushed by dimse-listener-changed.
  'dimse-listener': [],

  'outgoing-create': ['library', 'remotes'],
  'outgoing-list': ['outgoing'],
  'outgoing-get': ['outgoing'],
  'outgoing-find': ['outgoing'],
  'outgoing-active': ['outgoing'],
  // A situation names the remote's deadline; 'answered' depends on the remote's kind.
  'outgoing-progress': ['outgoing', 'remotes'],
  'outgoing-instances': ['outgoing'],
  'outgoing-cancel': ['outgoing'],
  'outgoing-resend': ['outgoing'],
  'outgoing-resend-failed': ['outgoing'],
  'outgoing-totals': ['outgoing'],
  'migration-send-missing': ['library', 'verdicts', 'outgoing', 'remotes'],
  'migration-cancel': [],
  // The archive's listing is not stored: only what it is compared with is.
  'migration-compare': ['library', 'verdicts', 'remotes'],
  'migration-verify-content': ['library', 'verdicts', 'remotes'],
  'migration-content-result': ['verdicts'],

  'incoming-list': ['incoming'],
  'incoming-get': ['incoming'],
  'incoming-instances': ['incoming'],

  // The policies offered name the remotes (forward:<id>).
  'settings-get': ['settings', 'remotes'],
  'settings-update': ['settings', 'remotes'],
  'settings-database': ['settings', 'remotes'],
  // Not a table of its own: re-read when what most audit events come with changes.
  'audit-list': ['tokens', 'settings', 'remotes', 'incoming', 'outgoing'],
  'tokens-list': ['tokens'],
  // Heartbeats write the registry; the requests each node holds are outgoing rows.
  'nodes-list': ['nodes', 'outgoing'],
  'tokens-create': ['tokens'],
  'tokens-revoke': ['tokens'],

  // Reports read the verdicts, the requests and jobs of their scope, the remotes' names and the library
  // (an indexed instance without a verdict is "never asked").
  'report-archives': ['verdicts', 'remotes', 'outgoing'],
  'report-summary': ['verdicts', 'outgoing', 'remotes', 'library'],
  'report-studies': ['verdicts', 'outgoing', 'remotes', 'library'],
  'report-csv': ['verdicts', 'outgoing', 'remotes', 'library'],
  'report-safe-to-delete': ['verdicts', 'remotes', 'library'],
  'report-timeline': ['outgoing'],
  'report-instance': ['verdicts', 'outgoing'],
  'report-failure-reasons': ['verdicts', 'outgoing'],
  'report-find-archive': ['verdicts', 'remotes'],
  'report-csv-file': ['verdicts', 'outgoing', 'remotes', 'library'],
  'report-safe-to-delete-file': ['verdicts', 'remotes', 'library'],
} as const satisfies Record<HandlerName, readonly DataTable[]>;

/** Every handler that reads at least one of `tables`. */
export function handlersReading(tables: readonly DataTable[]): HandlerName[] {
  return (Object.keys(HANDLER_READS) as HandlerName[]).filter((h) => (HANDLER_READS[h] as readonly DataTable[]).some((t) => tables.includes(t)));
}
