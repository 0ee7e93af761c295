import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { errorText } from '../../api/api-error';
import { useApi } from '../../api/context';
import type { LibrarySummary } from '../../../../src-shared/contract/handlers';
import { useApiQuery } from '../../data/api-hooks';
import { describeSelection, selectionCount, toSelection, useSelection } from '../../state/selection';
import { useToasts } from '../../state/toasts';
import { formatBytes, formatCount } from '../../ui/format';
import { AddFolders } from './AddFolders';
import { useLibraryFilters } from './library-filters';
import { LibraryNodeNote } from './NodeNote';
import { ProblemFiles } from './ProblemFiles';
import { ScanProgressPanel } from './ScanProgressPanel';
import { StudyTree } from './StudyTree';
import { studiesArgs } from './tree-data';
import { allStudyUids } from './tree-selection';
import { useTreeState } from './tree-state';
import { VerifyDialog } from './VerifyDialog';

/** Library: bring folders in, see what they hold, select, and verify. */
export function LibraryScreen() {
  const { data: summary } = useApiQuery('library-summary', {});
  const search = useLibraryFilters((s) => s.search);
  const setFilters = useLibraryFilters((s) => s.set);
  const [draft, setDraft] = useState(search);

  // Search as you type, without a query per keystroke.
  useEffect(() => {
    const t = setTimeout(() => {
      if (draft !== search) {
        useTreeState.getState().collapseAll();
        setFilters({ search: draft });
      }
    }, 250);
    return () => clearTimeout(t);
  }, [draft, search, setFilters]);

  return (
    <div className="screen library-screen">
      <AddFolders />
      <ScanProgressPanel />
      <div className="library-summary" aria-label="Library summary" data-testid="library-summary">
        {summary ? (
          <>
            <strong>{formatCount(summary.studies)}</strong> studies · <strong>{formatCount(summary.series)}</strong> series ·{' '}
            <strong>{formatCount(summary.instances)}</strong> instances · {formatBytes(summary.bytes)}
            <ProblemCounts summary={summary} />
            <LibraryNodeNote />
          </>
        ) : (
          'Loading…'
        )}
      </div>
      <div className="toolbar">
        <label className="inline-field search-field">
          Search
          <input type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="Patient, ID, accession, description, date, UID" />
        </label>
        <SelectionTools search={search} />
      </div>
      <div className="tree-pane">
        <StudyTree search={search} />
      </div>
      <details className="problems">
        <summary>
          Problem files{summary ? ` (${formatCount(problemTotal(summary))})` : ''}
        </summary>
        <ProblemFiles />
      </details>
    </div>
  );
}

const problemTotal = (s: LibrarySummary) => s.skipped + s.conflicts + s.duplicates + s.flagged;

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** "· ⚠ 1 file skipped · 2 conflicts · 3 duplicate copies · 1 flagged (pixel data truncated)": only what is there. */
function ProblemCounts({ summary: s }: { summary: LibrarySummary }) {
  const parts = [
    { n: s.skipped, text: `${plural(s.skipped, 'file')} skipped`, tone: 'tone-warn' },
    { n: s.conflicts, text: plural(s.conflicts, 'conflict'), tone: 'tone-bad' },
    { n: s.duplicates, text: plural(s.duplicates, 'duplicate copy', 'duplicate copies'), tone: 'muted' },
    { n: s.flagged, text: `${formatCount(s.flagged)} flagged (pixel data truncated)`, tone: 'tone-warn' },
  ].filter((p) => p.n > 0);
  return (
    <>
      {parts.map((p) => (
        <span key={p.text} className={p.tone}>
          {' '}
          · {p.tone !== 'muted' && <span aria-hidden="true">⚠ </span>}
          {p.text}
        </span>
      ))}
    </>
  );
}

function SelectionTools({ search }: { search: string }) {
  const client = useApi();
  const toast = useToasts((s) => s.show);
  const sel = useSelection(useShallow((s) => ({ studies: s.studies, series: s.series, instances: s.instances })));
  const clear = useSelection((s) => s.clear);
  const [verifying, setVerifying] = useState(false);
  const [selectingAll, setSelectingAll] = useState(false);
  const count = selectionCount(sel);
  // The tree's first page (the same query): its total is the number of matching studies.
  const { data: page } = useApiQuery('library-studies', studiesArgs(search, 0));
  const total = page?.total ?? 0;

  const selectAll = async () => {
    setSelectingAll(true);
    try {
      useSelection.getState().set('study', await allStudyUids(client, search), true);
    } catch (e) {
      toast('error', `Cannot select all: ${errorText(e)}`);
    } finally {
      setSelectingAll(false);
    }
  };

  return (
    <div className="selection-tools" role="group" aria-label="Selection">
      <span className="toolbar-note" aria-live="polite" data-testid="selection-summary">
        {describeSelection(sel)}
      </span>
      <button type="button" className="btn" onClick={selectAll} disabled={total === 0 || selectingAll}>
        {selectingAll ? 'Selecting…' : `Select all ${formatCount(total)} ${search.trim() ? 'matching ' : ''}studies`}
      </button>
      <button type="button" className="btn" onClick={clear} disabled={count === 0}>
        Clear selection
      </button>
      <button type="button" className="btn btn-primary" onClick={() => setVerifying(true)} disabled={count === 0}>
        Verify selected…
      </button>
      {verifying && <VerifyDialog selection={toSelection(sel)} summary={describeSelection(sel)} onClose={() => setVerifying(false)} onCreated={() => (clear(), setVerifying(false))} />}
    </div>
  );
}
