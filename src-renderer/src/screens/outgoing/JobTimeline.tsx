import { useRef } from 'react';
import { Area, AreaChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { useApiQuery } from '../../data/api-hooks';
import { OUTCOME_COLORS, useElementWidth } from '../../ui/chart';
import { formatCount, formatTime } from '../../ui/format';

const clock = (t: number) => formatTime(t).slice(11);

/** A job's instances over time: committed / failed / pending, live while it runs (refetched on every change). */
export function JobTimeline({ jobId }: { jobId: number }) {
  const { data } = useApiQuery('report-timeline', { jobId, buckets: 60 });
  const frame = useRef<HTMLDivElement>(null);
  const width = useElementWidth(frame);
  const last = data?.points.at(-1);
  return (
    <figure className="job-timeline" aria-label={`Job #${jobId} over time`} ref={frame}>
      {data && (
        <AreaChart width={Math.max(280, width)} height={110} data={data.points} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid vertical={false} stroke="#e3e7ed" />
          <XAxis dataKey="at" type="number" domain={['dataMin', 'dataMax']} tickFormatter={clock} tick={{ fontSize: 10 }} />
          <YAxis allowDecimals={false} tick={{ fontSize: 10 }} width={44} />
          <Tooltip labelFormatter={(t) => formatTime(Number(t))} formatter={(v) => formatCount(Number(v))} />
          <Legend iconSize={8} wrapperStyle={{ fontSize: 11 }} />
          <Area type="linear" dataKey="committed" name="Committed" stackId="o" stroke={OUTCOME_COLORS.committed} fill={OUTCOME_COLORS.committed} isAnimationActive={false} />
          <Area type="linear" dataKey="failed" name="Failed" stackId="o" stroke={OUTCOME_COLORS.failed} fill={OUTCOME_COLORS.failed} isAnimationActive={false} />
          <Area type="linear" dataKey="pending" name="Pending" stackId="o" stroke={OUTCOME_COLORS.pending} fill={OUTCOME_COLORS.pending} isAnimationActive={false} />
        </AreaChart>
      )}
      <figcaption className="muted">
        Job #{jobId}
        {last ? `${data!.running ? ' (running)' : ''}: ${formatCount(last.committed)} committed, ${formatCount(last.failed)} failed, ${formatCount(last.pending)} pending` : ''}
      </figcaption>
    </figure>
  );
}
