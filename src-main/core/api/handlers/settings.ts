import type { DimseListenerState } from '../../../../src-shared/dimse';
import type { AccessService } from '../../services/access';
import type { SettingsService } from '../../services/settings';
import type { SettingsPatch } from '../../store/ports';
import type { DomainHandlers } from './types';

export function settingsHandlers(
  settings: SettingsService,
  access: AccessService,
  listener: { ensure(): Promise<DimseListenerState> },
): DomainHandlers<'settings-' | 'tokens-'> {
  return {
    'settings-get': () => settings.view(),
    'settings-update': async (patch) => {
      await settings.update(patch as SettingsPatch);
      // A changed AE title, address or port restarts the listener before the answer says whether it listens.
      await listener.ensure();
      return settings.view();
    },
    'settings-database': async ({ url, importHistory }) => {
      settings.setDatabase(url, { importSqlite: importHistory === true });
      return settings.view();
    },
    'tokens-list': () => access.listTokens(),
    'tokens-create': ({ client }) => access.createToken(client),
    'tokens-revoke': async ({ id }) => {
      await access.revokeToken(id);
      return {};
    },
  };
}
