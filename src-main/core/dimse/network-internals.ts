/**
 * The parts of dcmjs-dimse 0.3.3's Network class that the C-FIND, C-GET and C-STORE facades use
 * beyond lib.ts's NetworkInstance, found by reading src/Network.js of 0.3.3 (the bundle keeps
 * these names).
 *
 * 1. Sending a C-STORE data set. `Network._sendPDataTF` asks the request's Dataset for
 *    `getDenaturalizedDataset()` (dcmjs parses and re-writes every instance), queues every PDU of
 *    the instance on the socket at once, and keeps every request in `network.pending` for the life
 *    of the association. So store-scu.ts writes its P-DATA-TF PDUs itself (pdata.ts) and reads
 *    the C-STORE-RSPs itself (response-reader.ts); the library keeps the association state machine.
 * 2. Receiving a C-STORE (C-GET sub-operation): the data set PDVs are written to the stream made
 *    by `createStoreWritableStream` (default: memory) and turned into a Dataset (parsed by dcmjs)
 *    by `createDatasetFromStoreWritableStream`. Both are meant to be overridden; get-scu.ts replaces
 *    them on its association to keep the data set bytes exactly as received. The request is then
 *    emitted as 'cStoreRequest' with a callback that sends the C-STORE-RSP.
 * 3. `sendCancel(request)` sends C-CANCEL-RQ for a C-FIND/C-GET request on its context.
 */
import type { EventEmitter } from 'node:events';
import type { DimseRequest, DimseResponse, NetworkInstance, PresentationContext } from './lib';

/** What the library writes received data set PDVs to (2 above). */
export interface StoreSink extends EventEmitter {
  write(chunk: Buffer): boolean;
  end(): void;
}

/** Stands in for a Dataset (2 above): the library only calls getTransferSyntaxUid() on it before emitting the request. */
export interface RawDataSet {
  readonly bytes: Buffer;
  readonly transferSyntaxUid: string;
  getTransferSyntaxUid(): string;
}

export type IncomingStoreRequest = Omit<DimseRequest, 'getDataset'> & {
  getAffectedSopClassUid(): string;
  getAffectedSopInstanceUid(): string;
  getDataset(): RawDataSet | undefined;
};

export interface NetworkInternals extends Omit<NetworkInstance, 'on'> {
  createStoreWritableStream(context: PresentationContext, request: DimseRequest): StoreSink;
  createDatasetFromStoreWritableStream(sink: StoreSink, context: PresentationContext, callback: (dataset: RawDataSet) => void): void;
  sendCancel(request: DimseRequest): void;
  on(event: 'cStoreRequest', listener: (request: IncomingStoreRequest, respond: (response: DimseResponse) => void) => void): this;
}

export function internals(network: NetworkInstance): NetworkInternals {
  const n = network as unknown as NetworkInternals;
  if (typeof n.createStoreWritableStream !== 'function' || typeof n.sendCancel !== 'function') {
    throw new Error('dcmjs-dimse: Network internals changed; src-main/core/dimse/network-internals.ts needs an update');
  }
  return n;
}
