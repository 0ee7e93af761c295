/**
 * Test support: Safekeep's STOW-RS, QIDO-RS and WADO-RS clients pointed at one DICOMweb root
 * (Orthanc's `${url}/dicom-web`, or a fault server), with the remote defaults.
 */
import { DicomwebClient } from '../../src-main/core/remotes/dicomweb-client';
import { QidoClient } from '../../src-main/core/remotes/qido';
import { StowClient } from '../../src-main/core/remotes/stow';
import { WadoClient } from '../../src-main/core/remotes/wado';
import { DicomwebRemoteConfigSchema } from '../../src-shared/remotes';

export function studiesServices(base: string, config: { timeoutSeconds?: number } = {}) {
  const http = new DicomwebClient(DicomwebRemoteConfigSchema.parse({ baseUrl: base, ...config }), null);
  return { http, stow: new StowClient(http, base), qido: new QidoClient(http, base), wado: new WadoClient(http, base) };
}
