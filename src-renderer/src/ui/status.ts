import type { OutgoingState } from '../../../src-shared/outgoing';
import type { IncomingState, InstanceOutcome } from '../../../src-shared/transactions';

/** How a state looks: a tone (colour), an icon and words. Colour is never the only signal. */
export interface StatusLook {
  tone: 'ok' | 'bad' | 'warn' | 'active' | 'pending' | 'muted';
  icon: string;
  text: string;
}

export const OUTCOME_LOOK: Record<InstanceOutcome, StatusLook> = {
  pending: { tone: 'pending', icon: '◷', text: 'Pending' },
  committed: { tone: 'ok', icon: '✓', text: 'Committed' },
  failed: { tone: 'bad', icon: '✕', text: 'Failed' },
};

export const OUTGOING_LOOK: Record<OutgoingState, StatusLook> = {
  queued: { tone: 'pending', icon: '◷', text: 'Queued' },
  posting: { tone: 'active', icon: '↑', text: 'Sending' },
  checking: { tone: 'active', icon: '?', text: 'Checking' },
  working: { tone: 'active', icon: '⟳', text: 'Working' },
  done: { tone: 'ok', icon: '✓', text: 'Done' },
  failed: { tone: 'bad', icon: '✕', text: 'Failed' },
  lost: { tone: 'bad', icon: '⚠', text: 'Lost' },
  timed_out: { tone: 'bad', icon: '⌛', text: 'Timed out' },
  cancelled: { tone: 'muted', icon: '⊘', text: 'Cancelled' },
};

/** A finished request or transaction with failed instances is "Done" but not good news: it says so. */
function doneLook<S extends string>(looks: Record<S, StatusLook>, state: S, failedCount: number): StatusLook {
  if (state === 'done' && failedCount > 0) return { tone: 'warn', icon: '⚠', text: `Done, ${failedCount.toLocaleString('en-US')} failed` };
  return looks[state];
}

export function outgoingLook(state: OutgoingState, failedCount: number): StatusLook {
  return doneLook(OUTGOING_LOOK, state, failedCount);
}

export const INCOMING_LOOK: Record<IncomingState, StatusLook> = {
  working: { tone: 'active', icon: '⟳', text: 'Working' },
  done: { tone: 'ok', icon: '✓', text: 'Done' },
  expired: { tone: 'muted', icon: '⌛', text: 'Expired' },
};

export function incomingLook(state: IncomingState, failedCount: number): StatusLook {
  return doneLook(INCOMING_LOOK, state, failedCount);
}
