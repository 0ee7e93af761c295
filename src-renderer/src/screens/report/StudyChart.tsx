import { useRef } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { ReportScope } from '../../../../src-shared/report';
import { useApiQuery } from '../../data/api-hooks';
import { OUTCOME_COLORS, useElementWidth } from '../../ui/chart';
import { formatCount } from '../../ui/format';

const SHOWN = 40;

/** One stacked bar per study (committed / failed / pending); the studies with most not committed first. */
export function StudyChart({ scope }: { scope: ReportScope }) {
  const { data } = useApiQuery('report-studies', { ...scope, limit: SHOWN, offset: 0 });
  const frame = useRef<HTMLDivElement>(null);
  const width = useElementWidth(frame);
  const rows = (data?.rows ?? []).map((s) => ({ ...s, name: s.patientId || s.accessionNumber || s.studyUid.slice(-12) }));
  return (
    <figure className="report-chart" aria-label="Outcomes per study" ref={frame}>
      {data && data.rows.length > 0 && (
        <BarChart width={Math.max(320, width)} height={240} data={rows} maxBarSize={56} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid vertical={false} stroke="#e3e7ed" />
          <XAxis dataKey="name" interval={0} tick={{ fontSize: 11 }} height={rows.length > 12 ? 60 : 30} angle={rows.length > 12 ? -35 : 0} textAnchor={rows.length > 12 ? 'end' : 'middle'} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={48} />
          <Tooltip formatter={(v) => formatCount(Number(v))} />
          <Legend />
          <Bar dataKey="committed" name="Committed" stackId="o" fill={OUTCOME_COLORS.committed} isAnimationActive={false} />
          <Bar dataKey="failed" name="Failed" stackId="o" fill={OUTCOME_COLORS.failed} isAnimationActive={false} />
          <Bar dataKey="pending" name="Pending" stackId="o" fill={OUTCOME_COLORS.pending} isAnimationActive={false} />
        </BarChart>
      )}
      <figcaption className="muted">
        {data && data.total > SHOWN
          ? `The ${SHOWN} studies with most instances not committed, of ${formatCount(data.total)}; the table below has them all.`
          : 'Instances per study: committed, failed, pending.'}
      </figcaption>
    </figure>
  );
}
