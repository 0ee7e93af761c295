import type { InstanceOutcome } from '../../../../src-shared/transactions';
import { describeFailureReason } from '../../../../src-shared/dicom/failure-reasons';
import { OUTCOME_LOOK } from '../../ui/status';
import { StatusBadge } from '../../ui/StatusBadge';
import type { Column } from '../../ui/VirtualTable';

/** What every instance row has, outgoing or incoming. */
interface InstanceLike {
  seq: number;
  sopInstanceUid: string;
  outcome: InstanceOutcome;
  failureReason: number | null;
  detail: string | null;
}

/** Why an instance failed, in words: the archive's Failure Reason, or what Safekeep observed. */
export function failureText(failureReason: number | null, detail: string | null): string {
  if (failureReason !== null) return describeFailureReason(failureReason) + (detail ? ` — ${detail}` : '');
  return detail ?? '';
}

/** The columns the instance tables of both directions share. */
export function instanceColumns<T extends InstanceLike>(): { seq: Column<T>; sop: Column<T>; outcome: Column<T>; reason: Column<T> } {
  return {
    seq: { key: 'seq', header: '#', width: '64px', align: 'end', render: (i) => i.seq + 1 },
    sop: { key: 'sop', header: 'SOP Instance UID', width: 'minmax(200px, 2fr)', render: (i) => <span className="mono" title={i.sopInstanceUid}>{i.sopInstanceUid}</span> },
    outcome: { key: 'outcome', header: 'Outcome', width: '120px', render: (i) => <StatusBadge look={OUTCOME_LOOK[i.outcome]} /> },
    reason: {
      key: 'reason',
      header: 'Failure reason',
      width: 'minmax(160px, 2fr)',
      render: (i) => {
        const t = failureText(i.failureReason, i.detail);
        return t ? <span className={i.outcome === 'failed' ? 'text-bad' : ''} title={t}>{t}</span> : null;
      },
    },
  };
}
