import { describeFailureReason } from '../../src-shared/dicom/failure-reasons';
import type { OutgoingRequest } from '../../src-shared/outgoing';
import type { SafekeepCore } from '../core/app';
import { usageError } from './errors';

const when = (t: number | null) => (t === null ? '-' : new Date(t).toISOString().replace('T', ' ').slice(0, 19));

function line(r: OutgoingRequest): string {
  const pending = r.instanceCount - r.committedCount - r.failedCount;
  return `${String(r.id).padStart(5)}  ${r.state.padEnd(9)}  ${r.transactionUid}  ${r.remoteName}  ${r.committedCount} committed, ${r.failedCount} failed, ${pending} pending  created ${when(r.createdAt)}${r.nextAttemptAt && r.state !== 'done' ? `  next ${when(r.nextAttemptAt)}` : ''}`;
}

/** `safekeep status [UID]`: the outgoing requests, or one with its instances. */
export function statusCommand(core: SafekeepCore, uid: string | undefined, json: boolean, out: (s: string) => void): number {
  if (!uid) {
    const { rows, total } = core.outgoing.list({ limit: 200, offset: 0 });
    if (json) {
      out(JSON.stringify({ total, requests: rows }, null, 2));
      return 0;
    }
    if (rows.length === 0) out('No outgoing commitment requests yet.');
    for (const r of rows) out(line(r));
    if (total > rows.length) out(`… ${total - rows.length} older request(s) not shown`);
    return 0;
  }
  const r = core.outgoing.findByUid(uid);
  if (!r) throw usageError(`No outgoing request with Transaction UID ${uid}`);
  const instances = core.outgoing.instances(r.id, { limit: 1_000_000, offset: 0 }).rows;
  if (json) {
    out(JSON.stringify({ request: r, instances }, null, 2));
    return 0;
  }
  out(line(r));
  if (r.label) out(`  ${r.label}`);
  if (r.error) out(`  ${r.error}`);
  if (r.previousUids.length) out(`  earlier Transaction UIDs: ${r.previousUids.join(', ')}`);
  for (const i of instances) {
    const reason = i.failureReason !== null ? describeFailureReason(i.failureReason) : (i.detail ?? '');
    out(`  ${i.outcome.padEnd(9)}  ${i.sopInstanceUid}  ${i.filePath ?? ''}${i.outcome === 'failed' ? `  ${reason}` : ''}`);
  }
  return 0;
}
