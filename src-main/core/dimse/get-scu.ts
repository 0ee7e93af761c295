/**
 * C-GET SCU (PS3.4 C.4.3): retrieves instances of one series (some, or all) on one association,
 * receiving the archive's C-STORE sub-operations on that same association. Safekeep proposes
 * each storage SOP class it wants with the SCP role (role selection, PS3.7 D.3.3.4), one
 * presentation context per transfer syntax: the local file's own first, so that the archive can
 * send its copy untranscoded, then Explicit and Implicit VR Little Endian.
 *
 * Each received data set is kept as the bytes that came in (network-internals.ts, 4), with the
 * transfer syntax of its presentation context. The final C-GET status and sub-operation counts
 * are data; a failure of the association is a DimseError.
 */
import { EventEmitter } from 'node:events';
import { Dataset, requests, responses, stringValue, type DimseResponse, type PresentationContext } from './lib';
import { internals, type IncomingStoreRequest, type RawDataSet, type StoreSink } from './network-internals';
import { PendingRequest } from './pending-request';
import { dropEmptyErrorComment } from './association-words';
import { RequestorAssociation, type ProposedContext } from './requestor';
import type { DimseLogger } from './scu';
import { describeServiceStatus, type StatusWords } from './status-words';
import { EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN, STUDY_ROOT_GET, type AeAddress } from './types';

export interface ReceivedInstance {
  sopClassUid: string;
  sopInstanceUid: string;
  /** The transfer syntax the data set came in. */
  transferSyntaxUid: string;
  /** The data set exactly as received (no File Meta). */
  dataSet: Buffer;
}

export interface GetOptions {
  callingAeTitle: string;
  called: AeAddress;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** The instances to retrieve; omitted: the whole series. */
  sopInstanceUids?: string[];
  /** Storage SOP classes to accept, each with the transfer syntax of the local copy (proposed first). */
  storage: Array<{ sopClassUid: string; transferSyntaxUid?: string | null }>;
  /** Connect + association negotiation. */
  timeoutMs: number;
  /** Longest silence between responses and sub-operations (default 30 s). */
  idleTimeoutMs?: number;
  totalTimeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Called (and awaited) for each instance received, before its C-STORE-RSP: a throw answers the
   * sub-operation A700H. Without it, the instances are collected in the result (fine for one
   * instance or a small series, all of it in memory).
   */
  onInstance?: (r: ReceivedInstance) => void | Promise<void>;
  logger?: DimseLogger;
}

export interface GetResult {
  /** The final C-GET status in words; null when cancelled and the archive never answered the cancel. */
  status: StatusWords | null;
  comment?: string;
  completed: number;
  failed: number;
  warning: number;
  /** SOP Instance UIDs the archive names as failed (Failed SOP Instance UID List), if it does. */
  failedInstanceUids: string[];
  /** Received instances, when no onInstance was given. */
  instances: ReceivedInstance[];
  cancelled: boolean;
}

const RELEASE_TIMEOUT_MS = 5_000;
const STORE_REFUSED_OUT_OF_RESOURCES = 0xa700;

/** Collects the PDV values of one received data set (the library only calls write, end and once('drain')). */
class ChunkSink extends EventEmitter implements StoreSink {
  private chunks: Buffer[] = [];
  private length = 0;
  write(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return true;
  }
  end(): void {}
  take(): Buffer {
    const all = Buffer.concat(this.chunks, this.length);
    this.chunks = [];
    return all;
  }
}

/** Per storage SOP class: the local syntax, then Explicit and Implicit VR LE, one context each; SCP role on the first. */
export function getContexts(storage: GetOptions['storage']): ProposedContext[] {
  const contexts: ProposedContext[] = [{ abstractSyntax: STUDY_ROOT_GET }];
  const byClass = new Map<string, string[]>();
  for (const s of storage) {
    const list = byClass.get(s.sopClassUid) ?? [];
    if (s.transferSyntaxUid && !list.includes(s.transferSyntaxUid)) list.push(s.transferSyntaxUid);
    byClass.set(s.sopClassUid, list);
  }
  for (const [sopClassUid, local] of byClass) {
    const syntaxes = [...local, EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN].filter((ts, i, all) => all.indexOf(ts) === i);
    syntaxes.forEach((ts, i) =>
      // One role selection item per SOP class (PS3.7 D.3.3.4): it covers all of that class's contexts.
      contexts.push({ abstractSyntax: sopClassUid, transferSyntaxes: [ts], ...(i === 0 ? { scuRole: false, scpRole: true } : {}) }),
    );
  }
  return contexts;
}

function identifier(o: GetOptions): Record<string, unknown> {
  const base = { StudyInstanceUID: o.studyInstanceUid, SeriesInstanceUID: o.seriesInstanceUid };
  if (!o.sopInstanceUids) return { ...base, QueryRetrieveLevel: 'SERIES' };
  if (o.sopInstanceUids.length === 0) throw new RangeError('C-GET: no SOP Instance UID to retrieve (omit sopInstanceUids for the whole series)');
  // A list of UIDs is a valid unique key match for C-GET (PS3.4 C.4.3.1.3.1).
  return { ...base, QueryRetrieveLevel: 'IMAGE', SOPInstanceUID: o.sopInstanceUids.length === 1 ? o.sopInstanceUids[0] : o.sopInstanceUids };
}

function count(rsp: DimseResponse | undefined, tag: 'NumberOfCompletedSuboperations' | 'NumberOfFailedSuboperations' | 'NumberOfWarningSuboperations'): number {
  const v = rsp?.getCommandDataset().getElement(tag) as unknown;
  return typeof v === 'number' ? v : 0;
}

export async function getInstances(o: GetOptions): Promise<GetResult> {
  const log = o.logger ?? (() => {});
  const keys = identifier(o);
  const a = await RequestorAssociation.open({ callingAeTitle: o.callingAeTitle, called: o.called, contexts: getContexts(o.storage), timeoutMs: o.timeoutMs });
  const instances: ReceivedInstance[] = [];
  try {
    for (const s of new Set(o.storage.map((x) => x.sopClassUid))) {
      const pcs = a.acceptedContexts(s);
      if (pcs.length === 0) log(`${o.called.aeTitle} accepted no presentation context for ${s}: its instances cannot be received`);
      else if (pcs[0]!.scpRole !== true) log(`${o.called.aeTitle} did not confirm the SCP role for ${s} (role item ${pcs[0]!.scpRole === undefined ? 'absent' : 'SCP-role 0'})`);
    }
    const watch = new PendingRequest(a, { ...o, service: 'C-GET' });
    const network = internals(a.network);
    network.createStoreWritableStream = () => new ChunkSink();
    network.createDatasetFromStoreWritableStream = (sink: StoreSink, context: PresentationContext, callback: (d: RawDataSet) => void) => {
      const ts = context.getAcceptedTransferSyntaxUid() ?? '';
      callback({ bytes: (sink as ChunkSink).take(), transferSyntaxUid: ts, getTransferSyntaxUid: () => ts });
    };
    network.on('cStoreRequest', (request: IncomingStoreRequest, respond: (r: DimseResponse) => void) => {
      watch.kick();
      const ds = request.getDataset();
      const received: ReceivedInstance = {
        sopClassUid: request.getAffectedSopClassUid(),
        sopInstanceUid: request.getAffectedSopInstanceUid(),
        transferSyntaxUid: ds?.transferSyntaxUid ?? '',
        dataSet: ds?.bytes ?? Buffer.alloc(0),
      };
      void (async () => {
        let status = 0x0000;
        try {
          if (o.onInstance) await o.onInstance(received);
          else instances.push(received);
        } catch (e) {
          status = STORE_REFUSED_OUT_OF_RESOURCES;
          log(`received ${received.sopInstanceUid} but could not keep it: ${(e as Error).message}`);
        }
        const rsp = responses.CStoreResponse.fromRequest(request as unknown as InstanceType<typeof requests.CStoreRequest>);
        rsp.setStatus(status);
        dropEmptyErrorComment(rsp);
        respond(rsp);
      })();
    });

    const req = new requests.CGetRequest();
    req.setDataset(new Dataset(keys));
    const { final, cancelled } = await watch.run(req, STUDY_ROOT_GET);
    // PS3.4 puts the list in the identifier; Orthanc 1.10 puts it in the command set.
    const failedList = (final?.getDataset()?.getElement('FailedSOPInstanceUIDList') ?? final?.getCommandDataset().getElement('FailedSOPInstanceUIDList')) as unknown;
    const comment = final?.getErrorComment() || undefined;
    return {
      status: final ? describeServiceStatus('C-GET', final.getStatus()) : null,
      ...(comment ? { comment } : {}),
      completed: count(final, 'NumberOfCompletedSuboperations'),
      failed: count(final, 'NumberOfFailedSuboperations'),
      warning: count(final, 'NumberOfWarningSuboperations'),
      failedInstanceUids: (Array.isArray(failedList) ? failedList : [failedList]).map(stringValue).filter((u): u is string => !!u),
      instances,
      cancelled,
    };
  } finally {
    await a.release(Math.min(RELEASE_TIMEOUT_MS, o.timeoutMs));
  }
}
