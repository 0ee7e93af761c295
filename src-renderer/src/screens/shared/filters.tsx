import { describeFailureReason } from '../../../../src-shared/dicom/failure-reasons';
import type { InstanceOutcome } from '../../../../src-shared/transactions';
import { OUTCOME_LOOK } from '../../ui/status';

/** The outcome filter of instance tables (outgoing and incoming). */
export function OutcomeFilter({ value, onChange }: { value: InstanceOutcome | ''; onChange(v: InstanceOutcome | ''): void }) {
  return (
    <label className="inline-field">
      Outcome
      <select value={value} onChange={(e) => onChange(e.target.value as InstanceOutcome | '')}>
        <option value="">All outcomes</option>
        {(Object.keys(OUTCOME_LOOK) as InstanceOutcome[]).map((o) => (
          <option key={o} value={o}>
            {OUTCOME_LOOK[o].text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The Failure Reason filter ("0112H No such object instance"). */
export function ReasonFilter({ value, codes, onChange }: { value: number | null; codes: readonly number[]; onChange(v: number | null): void }) {
  return (
    <label className="inline-field">
      Failure reason
      <select value={value === null ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}>
        <option value="">Any reason</option>
        {codes.map((c) => (
          <option key={c} value={c}>
            {describeFailureReason(c)}
          </option>
        ))}
      </select>
    </label>
  );
}
