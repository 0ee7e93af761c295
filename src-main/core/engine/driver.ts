import type { OutgoingRequest } from '../../../src-shared/outgoing';
import type { Clock } from '../clock';
import type { OutgoingStore, RemoteWithSecret } from '../store/ports';

/** What a protocol driver may use: the store (written first), the clock, and a way to announce. */
export interface DriverContext {
  outgoing: OutgoingStore;
  clock: Clock;
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
