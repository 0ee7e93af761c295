import type { MigrationService } from '../../services/migration';
import type { DomainHandlers } from './types';

/** Finishing a migration: send what the archive lacks and commit again; cross-check with its own query; compare content. */
export function migrationHandlers(migration: MigrationService): DomainHandlers<'migration-'> {
  return {
    'migration-send-missing': ({ remoteId, selection, rounds }) => migration.sendMissing({ remoteId, selection, rounds }),
    'migration-cancel': ({ remoteId }) => ({ cancelled: migration.cancel(remoteId) }),
    'migration-compare': ({ remoteId, selection }) => migration.compare({ remoteId, selection }),
    'migration-verify-content': ({ remoteId, selection, sample, afterRequestIds }) => migration.verifyContent({ remoteId, selection, sample, afterRequestIds }),
    'migration-content-result': ({ remoteId }) => migration.contentResult(remoteId),
  };
}
