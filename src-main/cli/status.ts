import { describeFailureReason } from '../../src-shared/dicom/failure-reasons';
import type { OutgoingRequest } from '../../src-shared/outgoing';
import type { Host } from '../core/host/host';
import { usageError } from './errors';
import { instancesOf, requestByUid, requestsOfJob } from './pages';

const when = (t: number | null) => (t === null ? '-' : new Date(t).toISOString().replace('T', ' ').slice(0, 19));

const COLUMNS = ['ID', 'JOB', 'STATE', 'TRANSACTION UID', 'REMOTE', 'INSTANCES', 'COMMITTED', 'FAILED', 'PENDING', 'CREATED', 'NEXT'] as const;
/** Counts are right-aligned. */
const NUMERIC = new Set<string>(['ID', 'JOB', 'INSTANCES', 'COMMITTED', 'FAILED', 'PENDING']);

function cells(r: OutgoingRequest): string[] {
  const pending = r.instanceCount - r.committedCount - r.failedCount;
  const next = r.nextAttemptAt !== null && r.state !== 'done' ? when(r.nextAttemptAt) : '-';
  return [String(r.id), r.jobId === null ? '-' : String(r.jobId), r.state, r.transactionUid, r.remoteName, String(r.instanceCount), String(r.committedCount), String(r.failedCount), String(pending), when(r.createdAt), next];
}

/** The requests as a table with a header row; columns as wide as their widest cell. */
export function requestTable(rows: readonly OutgoingRequest[]): string[] {
  const table = [[...COLUMNS], ...rows.map(cells)];
  const widths = COLUMNS.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return table.map((row) =>
    row
      .map((cell, c) => (NUMERIC.has(COLUMNS[c]!) ? cell.padStart(widths[c]!) : c === row.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** `safekeep status [UID] [--job N]`: the outgoing requests, or one with its instances. */
export async function statusCommand(host: Host, o: { uid?: string; job?: number; json: boolean }, out: (s: string) => void): Promise<number> {
  if (o.uid && o.job !== undefined) throw usageError('Give a Transaction UID or --job N, not both');
  if (!o.uid) {
    // A job is shown whole; otherwise the latest 200 requests.
    const { rows, total } = o.job !== undefined ? await requestsOfJob(host, o.job) : await host.call('outgoing-list', { limit: 200, offset: 0 });
    if (o.job !== undefined && total === 0) throw usageError(`No job ${o.job}: "safekeep status" lists the requests with their job`);
    if (o.json) {
      out(JSON.stringify({ total, requests: rows }, null, 2));
      return 0;
    }
    if (rows.length === 0) out('No outgoing commitment requests yet.');
    else requestTable(rows).forEach((l) => out(l));
    if (total > rows.length) out(`… ${total - rows.length} older request(s) not shown (use --job N or --json)`);
    return 0;
  }
  const r = await requestByUid(host, o.uid);
  const instances = await instancesOf(host, r.id);
  if (o.json) {
    out(JSON.stringify({ request: r, instances }, null, 2));
    return 0;
  }
  requestTable([r]).forEach((l) => out(l));
  if (r.label) out(`  ${r.label}`);
  const now = (await host.call('outgoing-progress', { requestIds: [r.id] })).situations[0];
  if (now) out(`  now: ${now.text}`);
  if (r.error) out(`  ${r.error}`);
  if (r.previousUids.length) out(`  earlier Transaction UIDs: ${r.previousUids.join(', ')}`);
  for (const i of instances) {
    const reason = i.failureReason !== null ? describeFailureReason(i.failureReason) : (i.detail ?? '');
    out(`  ${i.outcome.padEnd(9)}  ${i.sopInstanceUid}  ${i.filePath ?? ''}${i.outcome === 'failed' ? `  ${reason}` : ''}`);
  }
  return 0;
}
