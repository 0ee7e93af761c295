import { useEffect, useState } from 'react';
import type { ContentProgress, ContentSummary } from '../../../../src-shared/content';
import type { ReportScope } from '../../../../src-shared/report';
import { useApi } from '../../api/context';
import { call, useApiQuery } from '../../data/api-hooks';
import { ErrorText } from '../../ui/ErrorText';
import { formatCount, formatTime } from '../../ui/format';
import { ContentSampleField, sampleOf, type ContentChoice } from '../shared/ContentSampleField';

const OUTCOME_WORDS: Record<string, string> = {
  differs: 'Differs',
  transcoded: 'Transcoded',
  'not-retrievable': 'Not retrievable',
  'local-changed': 'Changed locally',
};

function progressText(p: ContentProgress): string {
  const left = p.secondsLeft === null ? '' : `, ${p.secondsLeft} s left`;
  return `${formatCount(p.done)} of ${formatCount(p.total)} compared, ${formatCount(p.counts.differs)} differ · ${p.instancesPerSecond} instances/s, ${p.megabytesPerSecond} MB/s${left}`;
}

/**
 * "Verify content" on a report about one archive: retrieve the archive's copies of the committed instances of
 * the report's studies (all or a sample) and compare them with the local files; the latest check is shown.
 */
export function ContentCheck({ remoteId, studiesOf }: { remoteId: number; studiesOf: () => Promise<string[]> }) {
  const client = useApi();
  const latest = useApiQuery('migration-content-result', { remoteId });
  const [choice, setChoice] = useState<ContentChoice>({ mode: 'sample', percent: '10' });
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<ContentProgress | null>(null);
  const [done, setDone] = useState<ContentSummary | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const sample = sampleOf(choice);

  useEffect(() => client.listen('content-progress', (p) => p.remoteId === remoteId && setProgress(p)), [client, remoteId]);

  const run = async () => {
    if (sample === null || sample === 'invalid') return;
    setBusy(true);
    setError(null);
    setProgress(null);
    try {
      setDone(await call(client, 'migration-verify-content', { remoteId, selection: { studies: await studiesOf() }, sample }));
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  const shown = done ?? latest.data ?? null;
  return (
    <div className="content-check">
      <ContentSampleField value={choice} onChange={setChoice} allowOff={false} />
      <div className="toolbar">
        <button type="button" className="btn" disabled={busy || sample === 'invalid'} onClick={() => void run()} title="Retrieve the archive's copies (C-GET or WADO-RS) and compare them with the local files">
          {busy ? 'Comparing content…' : 'Verify content'}
        </button>
      </div>
      {busy && progress && (
        <p role="status" data-testid="content-progress">
          {progressText(progress)}
        </p>
      )}
      <ErrorText error={error} prefix="Cannot verify content" />
      {shown && <ContentResult s={shown} />}
    </div>
  );
}

export function ContentResult({ s }: { s: ContentSummary }) {
  const c = s.counts;
  return (
    <div data-testid="content-result">
      <p>
        Content {s.sample === 'all' ? 'of all' : `of a ${s.sample}% sample of`} {formatCount(s.committed)} committed instance(s), by {s.via} at {s.source}
        {s.finishedAt ? ` (${formatTime(s.finishedAt)})` : ''}: {formatCount(s.checked)} compared — {formatCount(c.same)} the same, {formatCount(c.transcoded)} transcoded,{' '}
        <strong className={c.differs ? 'tone-bad' : undefined}>{formatCount(c.differs)} differ</strong>, {formatCount(c['not-retrievable'])} not retrievable,{' '}
        {formatCount(c['local-changed'])} changed locally{s.end === 'done' ? '' : ` (${s.end})`}.
      </p>
      {s.notSame.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Outcome</th>
              <th>File</th>
              <th>What (the first differing attribute)</th>
            </tr>
          </thead>
          <tbody>
            {s.notSame.slice(0, 200).map((r) => (
              <tr key={r.sopInstanceUid}>
                <td className={r.outcome === 'differs' ? 'tone-bad' : undefined}>{OUTCOME_WORDS[r.outcome] ?? r.outcome}</td>
                <td title={r.sopInstanceUid}>{r.filePath}</td>
                <td>{r.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {s.notSameCount > 200 && <p>… and {formatCount(s.notSameCount - 200)} more.</p>}
    </div>
  );
}
