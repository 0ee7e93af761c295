import { describeListener, listenerProblem, reachableHost, type DimseListenerState } from '../../../../src-shared/dimse';
import { useApiQuery } from '../../data/api-hooks';
import { routeToHash } from '../../state/navigation';

/** What the status needs of a DIMSE archive: where it is, and the AE title Safekeep uses toward it. */
export interface DimseArchive {
  host: string;
  callingAeTitle: string;
}

/**
 * Safekeep's DICOM listener as a DIMSE archive needs it: whether it runs, where the archive
 * must send its N-EVENT-REPORT (AE title, host, port to copy into the archive's configuration),
 * and anything that stops the report from arriving. Live (the core announces every change).
 */
export function DimseListenerStatus({ archive, archives = [], detailed = false }: { archive?: DimseArchive; archives?: (DimseArchive & { name: string })[]; detailed?: boolean }) {
  const { data: s, error } = useApiQuery('dimse-listener', {});
  if (error) return <p className="error-text">Cannot read the DICOM listener's state: {error.message}</p>;
  if (!s) return null;
  const problems = problemsOf(s, archive, archives);
  const tone = problems.length > 0 || s.state === 'failed' ? 'bad' : s.state === 'listening' ? 'ok' : 'muted';
  return (
    <div className={`callout listener-status tone-${tone}`} role="status" aria-label="DICOM listener">
      <p>
        <strong>DICOM listener:</strong> {describeListener(s)}
        {s.state === 'failed' && (
          <>
            {' '}
            (<a href={routeToHash({ screen: 'settings' })}>Settings</a>)
          </>
        )}
      </p>
      {archive && (detailed ? <OwnAddress s={s} aeTitle={archive.callingAeTitle} /> : s.state === 'listening' && <p>Reports go to {addressText(s, archive.callingAeTitle)}.</p>)}
      {problems.map((p) => (
        <p key={p} className="text-bad">
          <span aria-hidden="true">⚠ </span>
          {p}
        </p>
      ))}
      {s.restartNeeded && <p className="muted">The saved DICOM settings differ from this run’s command-line options: they apply at the next start.</p>}
    </div>
  );
}

/** What keeps reports from arriving. "Stopped" is no problem here: the listener starts with the first DIMSE remote. */
function problemsOf(s: DimseListenerState, archive: DimseArchive | undefined, archives: (DimseArchive & { name: string })[]): string[] {
  if (s.state === 'stopped') return [];
  if (archive) return [listenerProblem(s, archive.host)].filter((p): p is string => p !== null);
  if (s.state !== 'listening') return [];
  return archives.flatMap((a) => {
    const p = listenerProblem(s, a.host);
    return p ? [`${a.name}: ${p}`] : [];
  });
}

function addressText(s: DimseListenerState, aeTitle: string): string {
  return `${aeTitle} at ${reachableHost(s)}:${s.port}`;
}

/** Safekeep's own AE title, host and port for this archive: what to copy into the archive's configuration. */
function OwnAddress({ s, aeTitle }: { s: DimseListenerState; aeTitle: string }) {
  return (
    <>
      <p>Enter Safekeep in the archive’s list of known AEs (where it sends storage commitment reports):</p>
      <dl className="facts own-address">
        <div>
          <dt>AE title</dt>
          <dd className="mono selectable">{aeTitle || '—'}</dd>
        </div>
        <div>
          <dt>Host</dt>
          <dd className="mono selectable">{reachableHost(s)}</dd>
        </div>
        <div>
          <dt>Port</dt>
          <dd className="mono selectable">{s.port}</dd>
        </div>
      </dl>
      {s.addresses.length > 1 && s.host !== reachableHost(s) && <p className="muted">This machine’s other addresses: {s.addresses.slice(1).join(', ')}</p>}
    </>
  );
}
