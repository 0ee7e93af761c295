import type { DimseListenerState } from '../../../../src-shared/dimse';
import type { AuditTrail } from '../../audit/trail';
import type { NodeRuntime } from '../../nodes/node-runtime';
import type { AccessService } from '../../services/access';
import type { IncomingService } from '../../services/incoming';
import type { LibraryService } from '../../services/library';
import type { MigrationService } from '../../services/migration';
import type { OutgoingService } from '../../services/outgoing';
import type { RemotesService } from '../../services/remotes';
import type { ReportsService } from '../../services/reports';
import type { SettingsService } from '../../services/settings';
import { incomingHandlers } from './incoming';
import { libraryHandlers } from './library';
import { migrationHandlers } from './migration';
import { outgoingHandlers } from './outgoing';
import { remotesHandlers } from './remotes';
import { reportHandlers } from './reports';
import { settingsHandlers } from './settings';
import type { CoreHandlers } from './types';

export type { CoreHandlers } from './types';

/** What the handlers are made of: one service per domain, and the DICOM listener's state. */
export interface HandlerServices {
  library: LibraryService;
  outgoing: OutgoingService;
  incoming: IncomingService;
  remotes: RemotesService;
  settings: SettingsService;
  access: AccessService;
  reports: ReportsService;
  migration: MigrationService;
  listener: { state(): DimseListenerState; ensure(): Promise<DimseListenerState> };
  audit: AuditTrail;
  node: Pick<NodeRuntime, 'id' | 'list'>;
}

/** The contract's handler map, composed from each domain's handlers (one map shared by every bridge and the CLI). */
export function createHandlers(s: HandlerServices): CoreHandlers {
  return {
    ...libraryHandlers(s.library),
    ...remotesHandlers(s.remotes, s.listener),
    ...outgoingHandlers(s.outgoing),
    ...incomingHandlers(s.incoming),
    ...settingsHandlers(s.settings, s.access, s.listener),
    ...reportHandlers(s.reports),
    ...migrationHandlers(s.migration),
    'audit-list': (a) => s.audit.list(a),
    'nodes-list': async () => ({ self: s.node.id, nodes: await s.node.list() }),
  };
}
