/**
 * The parts of dcmjs-dimse 0.3.3's Network class that the C-STORE and C-GET facades use beyond
 * lib.ts's NetworkInstance, found by reading src/Network.js of 0.3.3 (the bundle keeps these names).
 *
 * 1. Sending a data set. `Network._sendPDataTF` asks the request's Dataset for
 *    `getDenaturalizedDataset()`, i.e. dcmjs parses and re-writes every instance, and it queues
 *    every PDU of the instance on the socket at once. Safekeep sends C-STORE data sets itself
 *    (pdata.ts): the command set comes from the library (`getDenaturalizedCommandDataset`), the
 *    data set bytes straight from the file, fragmented within the acceptor's maximum PDU length,
 *    with socket back-pressure.
 * 2. Matching responses. A response is handed to the request found by Message ID in
 *    `network.pending` (`raiseResponseEvent`). The library only ever appends to that list, so a
 *    request (and its data set) would stay reachable for the whole association: Safekeep pushes its
 *    C-STORE requests there itself, without a data set, and takes each one out once answered.
 * 3. Message IDs come from `_getNextMessageId()`, the counter the library's own requests use.
 * 4. Receiving a C-STORE (C-GET sub-operation): the data set PDVs are written to the stream made
 *    by `createStoreWritableStream` (default: memory) and turned into a Dataset (parsed by dcmjs)
 *    by `createDatasetFromStoreWritableStream`. Both are meant to be overridden; get-scu.ts replaces
 *    them on its association to keep the data set bytes exactly as received. The request is then
 *    emitted as 'cStoreRequest' with a callback that sends the C-STORE-RSP.
 * 5. `sendCancel(request)` sends C-CANCEL-RQ for a C-FIND/C-GET request on its context.
 */
import type { EventEmitter } from 'node:events';
import type { DimseRequest, DimseResponse, NetworkInstance, PresentationContext } from './lib';

/** What the library writes received data set PDVs to (see 4 above). */
export interface StoreSink extends EventEmitter {
  write(chunk: Buffer): boolean;
  end(): void;
}

/** Stands in for a Dataset: the library only calls getTransferSyntaxUid() on it before emitting the request. */
export interface RawDataSet {
  readonly bytes: Buffer;
  readonly transferSyntaxUid: string;
  getTransferSyntaxUid(): string;
}

export type IncomingStoreRequest = DimseRequest & {
  getAffectedSopClassUid(): string;
  getAffectedSopInstanceUid(): string;
  getDataset(): RawDataSet | undefined;
};

export interface NetworkInternals extends Omit<NetworkInstance, 'on'> {
  pending: DimseRequest[];
  _getNextMessageId(): number;
  createStoreWritableStream(context: PresentationContext, request: DimseRequest): StoreSink;
  createDatasetFromStoreWritableStream(sink: StoreSink, context: PresentationContext, callback: (dataset: RawDataSet) => void): void;
  sendCancel(request: DimseRequest): void;
  on(event: 'cStoreRequest', listener: (request: IncomingStoreRequest, respond: (response: DimseResponse) => void) => void): this;
}

export function internals(network: NetworkInstance): NetworkInternals {
  const n = network as unknown as NetworkInternals;
  if (!Array.isArray(n.pending) || typeof n._getNextMessageId !== 'function' || typeof n.sendCancel !== 'function') {
    throw new Error('dcmjs-dimse: Network internals changed; src-main/core/dimse/network-internals.ts needs an update');
  }
  return n;
}

/** Takes an answered request out of the library's pending list (see 2 above). */
export function forgetRequest(network: NetworkInternals, request: DimseRequest): void {
  const i = network.pending.indexOf(request);
  if (i >= 0) network.pending.splice(i, 1);
}
