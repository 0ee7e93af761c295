import type { OutgoingInstance, OutgoingRequest } from '../../src-shared/outgoing';
import type { Host } from '../core/host/host';
import { usageError } from './errors';

/** The largest page the contract gives (its schemas cap `limit`). */
const PAGE = 100_000;

/** Every row of a paged handler, a page at a time. */
async function allRows<T>(page: (offset: number) => Promise<{ rows: T[]; total: number }>): Promise<{ rows: T[]; total: number }> {
  const first = await page(0);
  const rows = [...first.rows];
  while (rows.length < first.total) {
    const next = await page(rows.length);
    if (next.rows.length === 0) break;
    rows.push(...next.rows);
  }
  return { rows, total: first.total };
}

/** Every request of a job, newest first (as `outgoing-list` orders them). */
export function requestsOfJob(host: Host, jobId: number): Promise<{ rows: OutgoingRequest[]; total: number }> {
  return allRows((offset) => host.call('outgoing-list', { jobId, limit: PAGE, offset }));
}

/** Every instance of a request, in order. */
export async function instancesOf(host: Host, id: number): Promise<OutgoingInstance[]> {
  return (await allRows((offset) => host.call('outgoing-instances', { id, limit: PAGE, offset }))).rows;
}

/** The request a Transaction UID names (or named before a resend); a usage error when there is none. */
export async function requestByUid(host: Host, uid: string): Promise<OutgoingRequest> {
  const r = await host.call('outgoing-find', { transactionUid: uid });
  if (!r) throw usageError(`No outgoing request with Transaction UID ${uid}`);
  return r;
}
