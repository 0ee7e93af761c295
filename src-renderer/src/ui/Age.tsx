import { memo } from 'react';
import { formatAge, formatDue, formatTime } from './format';
import { useNow } from './now';

/** "5 min ago" that keeps itself current (only this cell re-renders each second). */
export const Age = memo(function Age({ at }: { at: number | null }) {
  const now = useNow();
  if (at === null) return null;
  return (
    <time dateTime={new Date(at).toISOString()} title={formatTime(at)}>
      {formatAge(at, now)}
    </time>
  );
});

/** "in 12 s" / "now" for the next poll. */
export const Due = memo(function Due({ at }: { at: number | null }) {
  const now = useNow();
  if (at === null) return null;
  return (
    <time dateTime={new Date(at).toISOString()} title={formatTime(at)}>
      {formatDue(at, now)}
    </time>
  );
});
