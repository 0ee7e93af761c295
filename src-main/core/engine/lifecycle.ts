/**
 * The life of an outgoing commitment request as one table: what can happen to a request (an event) and the
 * state it leads to from each state where it may happen. Every state change of a request is written through
 * `OutgoingLifecycle`, which looks the next state up here; anything else is an `IllegalTransition`.
 */
import { ACTIVE_STATES, type OutgoingState } from '../../../src-shared/outgoing';
import type { OutgoingStore } from '../store/ports';
import type { InstanceResult, RequestPatch } from './model/outgoing';

export type OutgoingEvent =
  /** The POST or N-ACTION goes out (persisted first). */
  | 'send'
  /** The archive took it and works on it: 202, or an N-ACTION-RSP 0000H (the report comes later). */
  | 'accepted'
  /** The result came: 200 with a body, or the N-EVENT-REPORT (also for an earlier UID, or after the deadline). */
  | 'answered'
  /** A transient failure (5xx, 429, transport, association): the same step again later. */
  | 'retry'
  /** The POST may have arrived without an answer (a restart, a cut after sending): ask (GET) before posting again. */
  | 'unsure'
  /** The Result Check says the POST never arrived: posting it is safe. */
  | 'not-received'
  /** Start over under a new Transaction UID (409; an N-ACTION that may have arrived before its association failed). */
  | 'new-uid'
  /** Refused by the archive, or cannot be sent at all (its remote is unusable or deleted). */
  | 'refused'
  /** The archive no longer knows the transaction (404 or 410 to a Result Check). */
  | 'lost'
  /** No final answer within the remote's deadline. */
  | 'deadline'
  | 'cancel'
  /** A proxied request its upstream never accepted: forgotten, so the requester may use the UID again. */
  | 'withdraw'
  /** Sent again as a new transaction (new UID, every instance pending). */
  | 'resend'
  /** Nothing happened yet: the request waits longer (its next attempt, its error line). */
  | 'wait';

const fromEach = (states: readonly OutgoingState[], to: OutgoingState): Partial<Record<OutgoingState, OutgoingState>> =>
  Object.fromEntries(states.map((s) => [s, to]));
const each = (states: readonly OutgoingState[]): Partial<Record<OutgoingState, OutgoingState>> => Object.fromEntries(states.map((s) => [s, s]));

/** event → { from state → next state }. A state missing under an event: the event cannot happen there. */
export const TRANSITIONS: Readonly<Record<OutgoingEvent, Readonly<Partial<Record<OutgoingState, OutgoingState>>>>> = {
  send: { queued: 'posting' },
  accepted: { posting: 'working', checking: 'working', working: 'working' },
  answered: { posting: 'done', checking: 'done', working: 'done', queued: 'done', timed_out: 'done' },
  retry: { posting: 'queued', checking: 'checking', working: 'working' },
  unsure: { posting: 'checking' },
  'not-received': { checking: 'queued' },
  'new-uid': { posting: 'queued', checking: 'queued' },
  refused: fromEach(ACTIVE_STATES, 'failed'),
  lost: { checking: 'lost', working: 'lost' },
  deadline: fromEach(ACTIVE_STATES, 'timed_out'),
  cancel: fromEach(ACTIVE_STATES, 'cancelled'),
  withdraw: { queued: 'cancelled', failed: 'cancelled' },
  resend: fromEach(['failed', 'lost', 'timed_out', 'cancelled'], 'queued'),
  wait: each(ACTIVE_STATES),
};

/** An event that cannot happen in a state (a bug in its caller, never the archive's doing). */
export class IllegalTransition extends Error {
  constructor(
    readonly from: OutgoingState,
    readonly event: OutgoingEvent,
  ) {
    super(`An outgoing request cannot go through "${event}" while ${from}`);
    this.name = 'IllegalTransition';
  }
}

/** The state `event` leads to from `from`, or IllegalTransition. */
export function nextState(from: OutgoingState, event: OutgoingEvent): OutgoingState {
  const to = TRANSITIONS[event][from];
  if (to === undefined) throw new IllegalTransition(from, event);
  return to;
}

/** The states where `event` may happen. */
export function statesFor(event: OutgoingEvent): OutgoingState[] {
  return Object.keys(TRANSITIONS[event]) as OutgoingState[];
}

/**
 * Where a request is known to be: one state, or several that `event` moves to the same next state (a cancel
 * from any active state). Each write happens only while the request is still there: a request that moved
 * meanwhile (a report came, the user cancelled) keeps that word, and the write says false.
 */
export type From = OutgoingState | readonly OutgoingState[];

/** The fields a transition writes besides the state. */
export type Fields = Omit<RequestPatch, 'state'>;

/** The one writer of outgoing states: each write names its event, and the table gives the state. */
export class OutgoingLifecycle {
  constructor(private readonly store: OutgoingStore) {}

  /** The event's next state from `from` (none to write when every state stays), and the guard of the write. */
  private plan(from: From, event: OutgoingEvent): { state: { state?: OutgoingState }; guard: readonly OutgoingState[] } {
    const guard = typeof from === 'string' ? [from] : from;
    const next = guard.map((s) => nextState(s, event));
    if (next.every((to, k) => to === guard[k])) return { state: {}, guard };
    if (new Set(next).size !== 1) throw new Error(`"${event}" leads to different states from ${guard.join(', ')}: name one state`);
    return { state: { state: next[0]! }, guard };
  }

  /** A change of state (and fields). */
  move(id: number, from: From, event: OutgoingEvent, fields: Fields = {}): Promise<boolean> {
    const { state, guard } = this.plan(from, event);
    return this.store.patch(id, { ...fields, ...state }, guard);
  }

  /** The answer's outcome for each instance, with the state. */
  complete(id: number, from: From, event: OutgoingEvent, results: readonly InstanceResult[], fields: Fields, now: number): Promise<boolean> {
    const { state, guard } = this.plan(from, event);
    return this.store.complete(id, results, { ...fields, ...state }, now, guard);
  }

  /** Every instance still pending failed with `detail` (and the archive's Failure Reason, if any), with the state. */
  failPending(id: number, from: From, event: OutgoingEvent, o: { detail: string; failureReason?: number | null; now: number }, fields: Fields = {}): Promise<boolean> {
    const { state, guard } = this.plan(from, event);
    return this.store.failPending(id, o.detail, { ...fields, ...state }, o.now, o.failureReason ?? null, guard);
  }

  /** A new Transaction UID (the old one remembered), with the state. */
  renew(id: number, from: From, event: OutgoingEvent, newUid: string, fields: Fields = {}): Promise<boolean> {
    const { state, guard } = this.plan(from, event);
    return this.store.changeUid(id, newUid, { ...fields, ...state }, guard);
  }

  /** A finished request sent again as a new transaction: every instance pending, queued under `newUid`. */
  resend(id: number, from: OutgoingState, newUid: string, now: number): Promise<boolean> {
    const { state, guard } = this.plan(from, 'resend');
    return this.store.reset(id, newUid, now, guard, state.state);
  }
}
