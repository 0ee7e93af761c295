import type { RemoteView } from '../../../src-shared/remotes';

/** How an archive is named by its address (reports, `--remote`): its DICOMweb base URL, or AE@host:port. */
export function remoteAddress(r: RemoteView): string {
  return r.kind === 'dicomweb' ? r.config.baseUrl : `${r.config.aeTitle}@${r.config.host}:${r.config.port}`;
}

/** A URL without its trailing slashes; the AE title, host and port of a dicom:// address as reports write them. */
export function normaliseAddress(s: string): string {
  const dicom = /^dicom:\/\/([^@/]+)@([^:/]+):(\d+)\/?$/.exec(s);
  return dicom ? `${decodeURIComponent(dicom[1]!)}@${dicom[2]}:${dicom[3]}` : s.replace(/\/+$/, '');
}

export function sameAddress(a: string, b: string): boolean {
  return normaliseAddress(a) === normaliseAddress(b);
}
