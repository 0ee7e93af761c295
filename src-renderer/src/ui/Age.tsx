import { memo } from 'react';
import { formatAge, formatDue, formatTime } from './format';
import { useNow } from './now';

/** A moment in words relative to now that keeps itself current (only this cell re-renders each second). */
function RelativeTime({ at, words }: { at: number | null; words(at: number, now: number): string }) {
  const now = useNow();
  if (at === null) return null;
  return (
    <time dateTime={new Date(at).toISOString()} title={formatTime(at)}>
      {words(at, now)}
    </time>
  );
}

/** "5 min ago". */
export const Age = memo(function Age({ at }: { at: number | null }) {
  return <RelativeTime at={at} words={formatAge} />;
});

/** "in 12 s" / "now" for the next poll. */
export const Due = memo(function Due({ at }: { at: number | null }) {
  return <RelativeTime at={at} words={formatDue} />;
});
