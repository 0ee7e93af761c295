import { useApiQuery } from '../../data/api-hooks';
import { AuditSection } from './AuditSection';
import { ErrorText } from '../../ui/ErrorText';
import { CommitmentSettings } from './CommitmentSettings';
import { DatabaseSettings } from './DatabaseSettings';
import { DimseSettings } from './DimseSettings';
import { LibraryFolders } from './LibraryFolders';
import { ServerSettings } from './ServerSettings';
import { TlsSettings } from './TlsSettings';
import { TokensSection } from './TokensSection';

/** Settings: server, access tokens, library folders, commitment service, DIMSE, the database, the audit trail. */
export function SettingsScreen() {
  const { data, error } = useApiQuery('settings-get', {});
  if (error) return <ErrorText error={error} prefix="Cannot load the settings" />;
  if (!data) return <p aria-busy="true">Loading…</p>;
  return (
    <div className="screen settings-screen">
      {/* Keyed by the stored values: a change made elsewhere resets the section's form. */}
      <ServerSettings key={JSON.stringify(data.server)} settings={data} />
      <TlsSettings key={JSON.stringify(data.tls.stored)} settings={data} />
      <TokensSection authEnabled={data.server.authEnabled} />
      <LibraryFolders />
      <CommitmentSettings key={`${data.policy}|${data.dimsePolicy}|${data.retentionDays}|${data.syncWindowSeconds}`} settings={data} />
      <DimseSettings key={JSON.stringify([data.dimse.aeTitle, data.dimse.host, data.dimse.port, data.dimse.peers, data.reportTimeoutMinutes])} settings={data} />
      <DatabaseSettings key={JSON.stringify(data.database)} settings={data} />
      <AuditSection settings={data} />
      <p className="muted">Data folder: <span className="mono selectable">{data.dataDir}</span></p>
    </div>
  );
}
