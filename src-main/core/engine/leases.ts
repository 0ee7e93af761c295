import type { OutgoingRequest } from '../../../src-shared/outgoing';
import type { OutgoingLifecycle } from './lifecycle';

/** The leases of outgoing requests, as the engine uses them (nodes/node-runtime.ts). */
export interface RequestLeases {
  /** Takes (or keeps) the request: false when another node holds it. */
  claim(id: number): Promise<boolean>;
  /** Any node may take it now. */
  release(id: number): Promise<void>;
}

/**
 * Whether this engine steps a due request now. With several nodes on one store it must hold the request's
 * lease (one atomic claim: free, already its own, or run out because its node died); another node's request
 * is left alone. A request found 'posting' that this engine is not sending was left mid-POST (a node killed,
 * or this node's last run): it is checked first ('unsure' → a GET or a new N-ACTION), never posted again blind.
 * 'step': go; 'skip': not this node's; 'moved': changed state, looked at again at once.
 */
export async function takeUp(
  r: OutgoingRequest,
  o: { leases: RequestLeases | undefined; lifecycle: OutgoingLifecycle; now: number },
): Promise<'step' | 'skip' | 'moved'> {
  if (o.leases && !(await o.leases.claim(r.id))) return 'skip';
  if (r.state !== 'posting') return 'step';
  return (await o.lifecycle.move(r.id, 'posting', 'unsure', { nextAttemptAt: o.now })) ? 'moved' : 'skip';
}
