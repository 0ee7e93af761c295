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

/**
 * The columns of the instance tables of both directions: #, SOP Instance UID, one of the
 * direction's own (file or study), outcome, failure reason, and when it was decided.
 */
export function instanceColumns<T extends InstanceLike>(own: { where: Column<T>; decided: Column<T> }): Column<T>[] {
  return [
    { key: 'seq', header: '#', width: '64px', align: 'end', render: (i) => i.seq + 1 },
    { key: 'sop', header: 'SOP Instance UID', width: 'minmax(200px, 2fr)', render: (i) => <span className="mono" title={i.sopInstanceUid}>{i.sopInstanceUid}</span> },
    own.where,
    { key: 'outcome', header: 'Outcome', width: '120px', render: (i) => <StatusBadge look={OUTCOME_LOOK[i.outcome]} /> },
    {
      key: 'reason',
      header: 'Failure reason',
      width: 'minmax(160px, 2fr)',
      render: (i) => {
        const t = failureText(i.failureReason, i.detail);
        return t ? <span className={i.outcome === 'failed' ? 'text-bad' : ''} title={t}>{t}</span> : null;
      },
    },
    own.decided,
  ];
}
