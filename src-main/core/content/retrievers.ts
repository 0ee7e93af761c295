/**
 * How a content check gets the archive's copy back: C-GET (one association per series chunk, the copies
 * coming in as C-STORE sub-operations and compared one by one as they arrive) for DIMSE remotes, WADO-RS
 * (a few instances at a time) for DICOMweb remotes. Nothing holds more than a few copies in memory.
 */
import { qidoBaseOf } from '../../../src-shared/remotes';
import { dimseAddressOf } from '../dimse/dimse-address';
import { getInstances } from '../dimse/get-scu';
import { readDicomHeader } from '../library/header';
import type { IndexedFile } from '../library/model/files';
import { DicomwebClient } from '../remotes/dicomweb-client';
import type { RemoteWithSecret } from '../remotes/model/remote';
import { WadoClient } from '../remotes/wado';
import type { Copy } from './check';
import { wrapAsPart10 } from './part10-wrap';

export interface Retriever {
  readonly via: 'C-GET' | 'WADO-RS';
  /** "AET@host:port" or the WADO-RS base URL. */
  readonly source: string;
  /** Calls `onCopy` (awaited) exactly once per item, with its copy or why none came; never throws for the archive's faults. */
  retrieve(items: readonly IndexedFile[], onCopy: (f: IndexedFile, copy: Copy) => Promise<void>, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Instances per C-GET (a list of UIDs in one identifier). */
const GET_CHUNK = 100;
/** WADO-RS retrievals in flight at once. */
const WADO_PARALLEL = 4;

/** The local file's transfer syntax, asked for first so that the archive can answer untranscoded. */
function localSyntax(f: IndexedFile): string | null {
  const r = readDicomHeader(f.path);
  return r.ok ? r.header.transferSyntaxUid : null;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function bySeriesChunks(items: readonly IndexedFile[]): IndexedFile[][] {
  const series = new Map<string, IndexedFile[]>();
  for (const f of items) {
    const key = `${f.studyUid}\\${f.seriesUid}`;
    const list = series.get(key);
    if (list) list.push(f);
    else series.set(key, [f]);
  }
  const out: IndexedFile[][] = [];
  for (const list of series.values()) for (let i = 0; i < list.length; i += GET_CHUNK) out.push(list.slice(i, i + GET_CHUNK));
  return out;
}

export function cGetRetriever(remote: Extract<RemoteWithSecret, { kind: 'dimse' }>): Retriever {
  const c = remote.config;
  return {
    via: 'C-GET',
    source: `${c.aeTitle}@${c.host}:${c.port}`,
    async retrieve(items, onCopy, signal) {
      for (const chunk of bySeriesChunks(items)) {
        if (signal?.aborted) return;
        const byUid = new Map(chunk.map((f) => [f.sopInstanceUid, f]));
        const done = new Set<string>();
        let why = '';
        try {
          const r = await getInstances({
            callingAeTitle: c.callingAeTitle,
            called: dimseAddressOf(c),
            studyInstanceUid: chunk[0]!.studyUid,
            seriesInstanceUid: chunk[0]!.seriesUid,
            sopInstanceUids: chunk.map((f) => f.sopInstanceUid),
            storage: chunk.map((f) => ({ sopClassUid: f.sopClassUid, transferSyntaxUid: localSyntax(f) })),
            timeoutMs: c.timeoutSeconds * 1000,
            signal,
            onInstance: async (got) => {
              const f = byUid.get(got.sopInstanceUid);
              // Not asked for, or a second copy of one already compared: answered success, not kept.
              if (!f || done.has(got.sopInstanceUid)) return;
              done.add(got.sopInstanceUid);
              await onCopy(f, { ok: true, bytes: wrapAsPart10(got.dataSet, got), transferSyntaxUid: got.transferSyntaxUid });
            },
          });
          const failed = r.failedInstanceUids.length ? `; the archive names ${r.failedInstanceUids.length} as failed` : '';
          why = r.cancelled ? 'cancelled' : `the C-GET ended with ${r.status?.text ?? 'no final status'}${r.comment ? ` (${r.comment})` : ''} without sending it${failed}`;
        } catch (e) {
          why = `C-GET failed: ${errorText(e)}`;
        }
        for (const f of chunk) if (!done.has(f.sopInstanceUid)) await onCopy(f, { ok: false, why });
      }
    },
    close: async () => {},
  };
}

export function wadoRetriever(remote: Extract<RemoteWithSecret, { kind: 'dicomweb' }>): Retriever {
  const http = new DicomwebClient(remote.config, remote.secret);
  const base = qidoBaseOf(remote.config);
  const wado = new WadoClient(http, base);
  const one = async (f: IndexedFile, signal?: AbortSignal): Promise<Copy> => {
    try {
      const got = await wado.retrieveInstance(
        { studyUid: f.studyUid, seriesUid: f.seriesUid, sopInstanceUid: f.sopInstanceUid },
        { transferSyntax: localSyntax(f), ...(signal ? { signal } : {}) },
      );
      return { ok: true, bytes: got.bytes, transferSyntaxUid: got.transferSyntaxUid };
    } catch (e) {
      return { ok: false, why: errorText(e) };
    }
  };
  return {
    via: 'WADO-RS',
    source: base,
    async retrieve(items, onCopy, signal) {
      let next = 0;
      // A few workers; each compares its copy (awaited) before fetching the next.
      const worker = async () => {
        while (next < items.length && !signal?.aborted) {
          const f = items[next++]!;
          await onCopy(f, await one(f, signal));
        }
      };
      await Promise.all(Array.from({ length: Math.min(WADO_PARALLEL, items.length) }, worker));
    },
    close: () => http.close(),
  };
}

export function retrieverFor(remote: RemoteWithSecret): Retriever {
  return remote.kind === 'dimse' ? cGetRetriever(remote) : wadoRetriever(remote);
}
