import { memo } from 'react';
import { formatCount, percent } from './format';

/** committed | failed | pending as one stacked bar, with the numbers for assistive technology. */
export const ProgressBar = memo(function ProgressBar({
  total,
  committed,
  failed,
  label,
}: {
  total: number;
  committed: number;
  failed: number;
  label?: string;
}) {
  const decided = committed + failed;
  const text = `${formatCount(decided)} of ${formatCount(total)} decided: ${formatCount(committed)} committed, ${formatCount(failed)} failed`;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label ?? 'Progress'}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={decided}
      aria-valuetext={text}
      title={text}
    >
      <span className="progress-committed" style={{ width: `${percent(committed, total)}%` }} />
      <span className="progress-failed" style={{ width: `${percent(failed, total)}%` }} />
    </div>
  );
});
