import { describeFailureReason } from '../../../../src-shared/dicom/failure-reasons';
import type { InstanceOutcome } from '../../../../src-shared/transactions';
import { OUTCOME_LOOK, type StatusLook } from '../../ui/status';

/** A filter of a table: one of some values, or '' for any ("All states"). */
export function SelectFilter<V extends string>(p: { label: string; any: string; value: V | ''; options: readonly { value: V; text: string }[]; onChange(v: V | ''): void }) {
  return (
    <label className="inline-field">
      {p.label}
      <select value={p.value} onChange={(e) => p.onChange(e.target.value as V | '')}>
        <option value="">{p.any}</option>
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The options of a filter by status: each status in the words of its badge. */
export function lookOptions<V extends string>(looks: Record<V, StatusLook>): { value: V; text: string }[] {
  return (Object.keys(looks) as V[]).map((value) => ({ value, text: looks[value].text }));
}

const OUTCOME_OPTIONS = lookOptions(OUTCOME_LOOK);

/** The outcome filter of instance tables (outgoing and incoming). */
export function OutcomeFilter({ value, onChange }: { value: InstanceOutcome | ''; onChange(v: InstanceOutcome | ''): void }) {
  return <SelectFilter label="Outcome" any="All outcomes" value={value} options={OUTCOME_OPTIONS} onChange={onChange} />;
}

/** The Failure Reason filter ("0112H No such object instance"). */
export function ReasonFilter({ value, codes, onChange }: { value: number | null; codes: readonly number[]; onChange(v: number | null): void }) {
  const options = codes.map((c) => ({ value: String(c), text: describeFailureReason(c) }));
  return <SelectFilter label="Failure reason" any="Any reason" value={value === null ? '' : String(value)} options={options} onChange={(v) => onChange(v === '' ? null : Number(v))} />;
}
