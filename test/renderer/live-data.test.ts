// @vitest-environment jsdom
import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { HANDLER_READS, handlersReading } from '../../src-shared/contract/reads';
import { InvalidationScheduler, type Timers } from '../../src-renderer/src/data/invalidation';
import { apiKey } from '../../src-renderer/src/data/keys';
import { pagesFor } from '../../src-renderer/src/data/paged-rows';
import { hashToRoute, routeToHash } from '../../src-renderer/src/state/navigation';

/** Timers the test moves by hand. */
function manualTimers() {
  let now = 0;
  let queue: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const timers: Timers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      queue.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      queue = queue.filter((t) => t.id !== id);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    const due = queue.filter((t) => t.at <= now);
    queue = queue.filter((t) => t.at > now);
    due.forEach((t) => t.fn());
  };
  return { timers, advance, pending: () => queue.length };
}

function cacheWith(keys: readonly (readonly unknown[])[]): QueryClient {
  const qc = new QueryClient();
  for (const k of keys) qc.setQueryData(k, { v: 1 });
  return qc;
}

const stale = (qc: QueryClient, key: readonly unknown[]) => qc.getQueryState(key)?.isInvalidated ?? false;

describe('live data', () => {
  it('coalesces a flood of events into one invalidation per interval, queries of the changed tables only', () => {
    const list = apiKey('outgoing-list', { limit: 200, offset: 0 });
    const get1 = apiKey('outgoing-get', { id: 1 });
    const inst1 = apiKey('outgoing-instances', { id: 1, limit: 500, offset: 0 });
    const incoming = apiKey('incoming-list', { limit: 200, offset: 0 });
    const remotes = apiKey('remotes-list', {});
    const qc = cacheWith([list, get1, inst1, incoming, remotes]);
    const calls: unknown[] = [];
    const original = qc.invalidateQueries.bind(qc);
    qc.invalidateQueries = ((f: Parameters<QueryClient['invalidateQueries']>[0]) => {
      calls.push(f?.queryKey);
      return original(f);
    }) as QueryClient['invalidateQueries'];
    const t = manualTimers();
    const s = new InvalidationScheduler(qc, 500, t.timers);

    // The first change after a quiet period goes out at once (next tick).
    s.add(handlersReading(['outgoing']));
    t.advance(0);
    expect(stale(qc, list)).toBe(true);
    expect(stale(qc, get1)).toBe(true);
    expect(stale(qc, inst1)).toBe(true);
    expect(stale(qc, incoming)).toBe(false);
    expect(stale(qc, remotes)).toBe(false);
    const first = calls.length;

    // 1,000 events within the interval: one more round of invalidations, at its end.
    for (let i = 0; i < 1000; i++) s.add(handlersReading(['outgoing']));
    t.advance(100);
    expect(calls.length).toBe(first);
    t.advance(400);
    expect(calls.length).toBe(first * 2);
    expect(stale(qc, incoming)).toBe(false);
    expect(t.pending()).toBe(0);
    s.dispose();
  });

  it('a change of the incoming table (retention too) refreshes every incoming query', () => {
    expect(handlersReading(['incoming'])).toEqual(expect.arrayContaining(['incoming-list', 'incoming-get', 'incoming-instances']));
    expect(handlersReading(['incoming']).every((h) => (HANDLER_READS[h] as readonly string[]).includes('incoming'))).toBe(true);
  });

  it('fetches the pages around what is on screen', () => {
    expect(pagesFor(0, 20, 500)).toEqual([0]);
    expect(pagesFor(480, 510, 500)).toEqual([0, 1]);
    expect(pagesFor(50_010, 50_030, 500)).toEqual([99, 100]);
    expect(pagesFor(50_300, 50_320, 500)).toEqual([100]);
  });

  it('keeps the screen in the address (#/outgoing/12), and reads it back', () => {
    const routes = [
      { screen: 'library' as const },
      { screen: 'outgoing' as const, requestId: 12 },
      { screen: 'incoming' as const, transactionUid: '2.25.123' },
      { screen: 'report' as const, report: { kind: 'job' as const, jobId: 3 } },
      { screen: 'report' as const, report: { kind: 'requests' as const, requestIds: [4, 5] } },
      { screen: 'report' as const, report: { kind: 'archive' as const, remoteId: 2 } },
    ];
    for (const r of routes) expect(hashToRoute(routeToHash(r))).toEqual(r);
    expect(hashToRoute('#/nowhere')).toEqual({ screen: 'library' });
    expect(hashToRoute('#/incoming/<script>')).toEqual({ screen: 'incoming' });
  });
});
