import { describe, expect, it } from 'vitest';
import { ACTIVE_STATES, FINAL_STATES, type OutgoingState } from '../../../src-shared/outgoing';
import { IllegalTransition, nextState, OutgoingLifecycle, statesFor, TRANSITIONS, type OutgoingEvent } from '../../../src-main/core/engine/lifecycle';
import type { OutgoingStore } from '../../../src-main/core/store/ports';

const EVENTS = Object.keys(TRANSITIONS) as OutgoingEvent[];

describe('the outgoing lifecycle table', () => {
  it('follows a request through the protocol: send, accepted, answered; a lost POST is asked about first', () => {
    expect(nextState('queued', 'send')).toBe('posting');
    expect(nextState('posting', 'accepted')).toBe('working');
    expect(nextState('working', 'answered')).toBe('done');
    expect(nextState('posting', 'unsure')).toBe('checking');
    expect(nextState('checking', 'not-received')).toBe('queued');
    expect(nextState('posting', 'retry')).toBe('queued');
    expect(nextState('working', 'retry')).toBe('working');
    // A late report still completes a request that gave up waiting.
    expect(nextState('timed_out', 'answered')).toBe('done');
  });

  it('refuses what cannot happen: a second send, a resend of a committed request, anything after done', () => {
    expect(() => nextState('working', 'send')).toThrow(IllegalTransition);
    expect(() => nextState('done', 'resend')).toThrow(/cannot go through "resend" while done/);
    for (const e of EVENTS) expect(TRANSITIONS[e].done).toBeUndefined();
  });

  it('lets the user cancel, and the deadline end, every active request; only final ones but done are resent', () => {
    for (const s of ACTIVE_STATES) {
      expect(nextState(s, 'cancel')).toBe('cancelled');
      expect(nextState(s, 'deadline')).toBe('timed_out');
      expect(nextState(s, 'wait')).toBe(s);
    }
    expect(statesFor('resend').sort()).toEqual(FINAL_STATES.filter((s) => s !== 'done').sort());
  });
});

describe('OutgoingLifecycle', () => {
  const calls: unknown[][] = [];
  const store = {
    patch: async (...a: unknown[]) => (calls.push(['patch', ...a]), true),
    failPending: async (...a: unknown[]) => (calls.push(['failPending', ...a]), true),
  } as unknown as OutgoingStore;
  const lifecycle = new OutgoingLifecycle(store);

  it("writes the table's next state, only while the request is still where the caller saw it", async () => {
    calls.length = 0;
    await lifecycle.move(7, 'posting', 'retry', { nextAttemptAt: 5 });
    await lifecycle.move(7, 'working', 'wait', { nextAttemptAt: 9 });
    await lifecycle.failPending(7, ACTIVE_STATES, 'cancel', { detail: 'Cancelled', now: 3 }, { completedAt: 3 });
    expect(calls).toEqual([
      ['patch', 7, { nextAttemptAt: 5, state: 'queued' }, ['posting']],
      ['patch', 7, { nextAttemptAt: 9 }, ['working']], // a wait changes no state
      ['failPending', 7, 'Cancelled', { completedAt: 3, state: 'cancelled' }, 3, null, ACTIVE_STATES],
    ]);
  });

  it('refuses an event that leads to different states from the states given, before writing anything', async () => {
    calls.length = 0;
    const from: OutgoingState[] = ['posting', 'working'];
    expect(() => lifecycle.move(7, from, 'retry')).toThrow(/different states/);
    expect(() => lifecycle.move(7, 'done', 'cancel')).toThrow(IllegalTransition);
    expect(calls).toEqual([]);
  });
});
