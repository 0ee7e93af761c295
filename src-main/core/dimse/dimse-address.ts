import type { DimseRemoteConfig } from '../../../src-shared/remotes';
import { clientTlsOptions } from '../tls/profile';
import type { AeAddress } from './types';

/**
 * Where associations to a DIMSE remote go, with its DICOM TLS (CA, client certificate) read from its files
 * now: every association (N-ACTION, C-ECHO, C-STORE, C-FIND, C-GET) uses what the files hold at that moment.
 */
export function dimseAddressOf(c: DimseRemoteConfig): AeAddress {
  const address: AeAddress = { aeTitle: c.aeTitle, host: c.host, port: c.port };
  if (c.tls) address.tls = clientTlsOptions(c.tls);
  return address;
}
