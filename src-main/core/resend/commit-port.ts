/**
 * How "send missing" asks for commitment again: a new job for exactly the instances a round stored,
 * persisted before it is sent, followed by the engine like any other job.
 */
import { isFinal, type OutgoingRequest } from '../../../src-shared/outgoing';
import type { Engine } from '../engine/engine';

export interface CommitPort {
  submit(o: { remoteId: number; sopInstanceUids: readonly string[]; label: string }): Promise<{ jobId: number; requestIds: number[] }>;
  /** 'final' once every request has its final answer; 'overdue' when `stopWaiting` said to stop before (a late report). */
  settle(requestIds: readonly number[], signal?: AbortSignal): Promise<'final' | 'overdue'>;
}

/**
 * Over the engine. `stopWaiting` (e.g. the CLI's report timeout) may end the wait for a request
 * before its final answer; the request keeps going in the store and `resume` follows it.
 */
export function engineCommitPort(
  engine: Pick<Engine, 'submit' | 'waitUntil'>,
  stopWaiting?: (requestIds: readonly number[]) => Promise<(r: OutgoingRequest) => boolean>,
): CommitPort {
  return {
    submit: async (o) => {
      const job = await engine.submit({ remoteId: o.remoteId, selection: { instances: [...o.sopInstanceUids] }, form: 'study', label: o.label });
      return { jobId: job.jobId, requestIds: job.requestIds };
    },
    settle: async (requestIds, signal) => {
      const stop = (await stopWaiting?.(requestIds)) ?? ((r: OutgoingRequest) => isFinal(r.state));
      const ends = await Promise.all(requestIds.map((id) => engine.waitUntil(id, (r) => isFinal(r.state) || stop(r), signal)));
      return ends.every((r) => isFinal(r.state)) ? 'final' : 'overdue';
    },
  };
}
