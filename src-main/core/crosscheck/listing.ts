/**
 * The archive's own listing of one study: C-FIND (Study Root, IMAGE level, by Study Instance UID)
 * for DIMSE remotes, QIDO-RS `{qido-base}/studies/{study}/instances` for DICOMweb remotes.
 */
import type { ListingVia } from '../../../src-shared/crosscheck';
import { qidoBaseOf } from '../../../src-shared/remotes';
import { dimseAddressOf } from '../dimse/dimse-address';
import { findStudyInstances } from '../dimse/find-scu';
import { DicomwebClient } from '../remotes/dicomweb-client';
import { QidoClient } from '../remotes/qido';
import type { RemoteWithSecret } from '../remotes/model/remote';

export interface Listed {
  sopInstanceUid: string;
  seriesUid: string | null;
}

export interface Lister {
  readonly via: ListingVia;
  /** The QIDO-RS base URL or AE@host:port. */
  readonly source: string;
  /** Every instance of the study the archive lists; throws when it cannot be asked or its answer cannot be read. */
  studyInstances(studyUid: string, signal?: AbortSignal): Promise<Listed[]>;
  close(): Promise<void>;
}

/** A C-FIND that ended without success: the listing is incomplete, so it is not used. */
export class ListingFailedError extends Error {}

export function listerFor(remote: RemoteWithSecret): Lister {
  if (remote.kind === 'dimse') {
    const c = remote.config;
    return {
      via: 'C-FIND',
      source: `${c.aeTitle}@${c.host}:${c.port}`,
      studyInstances: async (studyUid, signal) => {
        const r = await findStudyInstances({
          callingAeTitle: c.callingAeTitle,
          called: dimseAddressOf(c),
          studyInstanceUid: studyUid,
          timeoutMs: c.timeoutSeconds * 1000,
          signal,
        });
        if (r.status?.class !== 'success') {
          const why = r.cancelled ? 'cancelled' : (r.status?.text ?? 'no final status');
          throw new ListingFailedError(`C-FIND of study ${studyUid} at ${c.aeTitle} ended with ${why}${r.comment ? ` (${r.comment})` : ''}`);
        }
        return r.instances.map((i) => ({ sopInstanceUid: i.sopInstanceUid, seriesUid: i.seriesInstanceUid }));
      },
      close: async () => {},
    };
  }
  const http = new DicomwebClient(remote.config, remote.secret);
  const qido = new QidoClient(http, qidoBaseOf(remote.config));
  return {
    via: 'QIDO-RS',
    source: qidoBaseOf(remote.config),
    studyInstances: async (studyUid, signal) => (await qido.studyInstances(studyUid, { signal })).map((i) => ({ sopInstanceUid: i.sopInstanceUid, seriesUid: i.seriesUid })),
    close: () => http.close(),
  };
}
