import type { OutgoingRequest } from '../../../src-shared/outgoing';
import type { Scheduler } from '../scheduler';
import type { OutgoingStore } from '../store/ports';
import type { RemoteWithSecret } from '../remotes/model/remote';
import type { OutgoingLifecycle } from './lifecycle';

/** What a protocol driver may use: the store's reads, the lifecycle (every write), the scheduler, and a way to announce. */
export interface DriverContext {
  outgoing: Pick<OutgoingStore, 'get' | 'instancesOf'>;
  /** Writes each outcome of a step as an event of the request's lifecycle (store first, then announce). */
  lifecycle: OutgoingLifecycle;
  scheduler: Scheduler;
  /** Announces that a request changed (batched by the engine). Call after writing. */
  changed(requestId: number): void;
  /** Asks the scheduler to look again (a request became due). */
  wake(): void;
}

/** One protocol (DICOMweb or DIMSE): advances a request by one exchange and persists its next state. */
export interface Driver {
  step(r: OutgoingRequest, remote: RemoteWithSecret, ctx: DriverContext): Promise<void>;
  /** Cheap check of reachability and credentials, for the "Test" button and the CLI. */
  test(remote: RemoteWithSecret): Promise<{ ok: boolean; message: string }>;
  close(): Promise<void>;
}
