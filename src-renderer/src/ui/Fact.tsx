import type { ReactNode } from 'react';

/** One term of a list of facts (<dl>): "Committed 9,990", in a tone (ok, bad, warn, pending) when it matters. */
export function Fact({ term, value, tone }: { term: string; value: ReactNode; tone?: string | undefined }) {
  return (
    <div className={tone ? `tone-${tone}` : undefined}>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </div>
  );
}
