import { useState } from 'react';
import { AUDIT_EVENT_NAMES, type AuditEventName } from '../../../../src-shared/audit';
import type { Settings } from '../../../../src-shared/contract/handlers';
import { useApiQuery } from '../../data/api-hooks';
import { AuditCollector } from './AuditCollector';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorText } from '../../ui/ErrorText';
import { formatTime } from '../../ui/format';
import { Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';

const PERIODS = { all: null, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
type Period = keyof typeof PERIODS;
const PERIOD_LABEL: Record<Period, string> = { all: 'All', '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days' };
const OUTCOME: Record<number, { label: string; tone: string }> = { 0: { label: 'OK', tone: 'tone-ok' }, 4: { label: 'Refused', tone: 'tone-warn' } };

/** The audit trail (DICOM Audit Messages in the data folder), newest first, filtered by period, event and text. */
export function AuditSection({ settings }: { settings: Settings }) {
  const [event, setEvent] = useState<AuditEventName | ''>('');
  const [search, setSearch] = useState('');
  // The start of the period is fixed when it is chosen (a moving "now" would refetch at every render).
  const [period, setPeriod] = useState<{ name: Period; since?: number }>({ name: 'all' });
  const { data, error } = useApiQuery('audit-list', {
    limit: 500,
    ...(event ? { event } : {}),
    ...(search.trim() ? { search: search.trim() } : {}),
    ...(period.since !== undefined ? { since: period.since } : {}),
  });
  return (
    <Section title="Audit trail">
      <AuditCollector key={JSON.stringify(settings.auditSyslog)} settings={settings} />
      <div className="form-row" role="search" aria-label="Filter the audit trail">
        <label>
          Period{' '}
          <select value={period.name} onChange={(e) => setPeriod({ name: e.target.value as Period, ...(PERIODS[e.target.value as Period] ? { since: Date.now() - PERIODS[e.target.value as Period]! } : {}) })}>
            {(Object.keys(PERIODS) as Period[]).map((p) => (
              <option key={p} value={p}>
                {PERIOD_LABEL[p]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Event{' '}
          <select value={event} onChange={(e) => setEvent(e.target.value as AuditEventName | '')}>
            <option value="">All events</option>
            {AUDIT_EVENT_NAMES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          Who, where or what <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} maxLength={200} spellCheck={false} />
        </label>
      </div>
      <ErrorText error={error} prefix="Cannot load the audit trail" />
      {data && data.length === 0 && <EmptyState title="No audit events">Nothing recorded matches the filter.</EmptyState>}
      {data && data.length > 0 && (
        <SimpleTable headers={['Time', 'Event', 'Outcome', 'Who', 'From', 'About', 'Detail']} className="audit-table">
          {data.map((e, i) => {
            const outcome = OUTCOME[e.outcome] ?? { label: 'Failed', tone: 'tone-bad' };
            return (
              <tr key={`${e.time}-${i}`}>
                <td>{formatTime(Date.parse(e.time))}</td>
                <th scope="row">{e.event}</th>
                <td>
                  <span className={`badge ${outcome.tone}`}>{outcome.label}</span>
                </td>
                <td>{e.user}</td>
                <td className="mono">{e.address ?? ''}</td>
                <td className="mono selectable">{e.object ?? ''}</td>
                <td>
                  {[
                    ...Object.entries(e.detail).map(([k, v]) => `${k}: ${v}`),
                    ...(e.description ? [e.description] : []),
                  ].join('; ')}
                </td>
              </tr>
            );
          })}
        </SimpleTable>
      )}
    </Section>
  );
}
