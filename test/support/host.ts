import type { Host } from '../../src-main/core/host/host';
import type { DimseServiceConfig } from '../../src-main/core/dimse/service';

/**
 * Starts the host's DICOM listener with this configuration, whether or not a remote needs it (tests,
 * proxies): through the host start-up, failing clearly when it does not listen.
 */
export async function startDimse(host: Host, config: DimseServiceConfig): Promise<{ port: number }> {
  const s = (await host.start({ dimse: { overrides: config, force: true } })).dimse!;
  if (s.state !== 'listening') throw new Error(`The DICOM listener did not start: ${s.detail}`);
  return { port: s.port };
}
