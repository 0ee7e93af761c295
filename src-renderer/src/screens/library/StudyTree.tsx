import { memo, useMemo, useState, type KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { errorText } from '../../api/api-error';
import { useSelection } from '../../state/selection';
import { useToasts } from '../../state/toasts';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorText } from '../../ui/ErrorText';
import { formatBytes, formatCount, formatDicomDate, formatPersonName } from '../../ui/format';
import { TABLE_KINDS } from '../../ui/table-kinds';
import { VirtualTable, type Column } from '../../ui/VirtualTable';
import { useTreeData, type TreeItem } from './tree-data';
import { selectionStateOf, uidOf, useToggleSelection } from './tree-selection';
import { useTreeState } from './tree-state';

function describe(item: TreeItem): string {
  if (item.kind === 'study') {
    const s = item.study;
    return [formatPersonName(s.patientName) || s.patientId || 'Unnamed patient', formatDicomDate(s.studyDate), s.studyDescription].filter(Boolean).join(' ');
  }
  if (item.kind === 'series') return `Series ${item.series.seriesNumber ?? ''} ${item.series.seriesDescription ?? ''}`.replace(/\s+/g, ' ').trim();
  return `Instance ${item.instance.instanceNumber ?? item.index + 1}`;
}

/** A row's checkbox; subscribes to its own selection state only. */
const SelectBox = memo(function SelectBox({ item, onToggle }: { item: TreeItem; onToggle(item: TreeItem, shift: boolean): void }) {
  const { checked, implied } = useSelection(useShallow((s) => selectionStateOf(s, item)));
  return (
    <input
      type="checkbox"
      tabIndex={-1}
      checked={checked}
      disabled={implied}
      title={implied ? 'Included with the selected study or series' : undefined}
      aria-label={`Select ${item.kind} ${describe(item)}`}
      onChange={() => undefined}
      onClick={(e) => {
        e.stopPropagation();
        onToggle(item, e.shiftKey);
      }}
    />
  );
});

/** ▸/▾ for studies and series; subscribes to its own expanded state only. */
const ExpandToggle = memo(function ExpandToggle({ item }: { item: TreeItem }) {
  const uid = uidOf(item);
  const open = useTreeState((s) => (item.kind === 'study' ? s.expandedStudies.has(uid) : s.expandedSeries.has(uid)));
  if (item.kind === 'instance') return <span className="tree-spacer" aria-hidden="true" />;
  return (
    <button
      type="button"
      tabIndex={-1}
      className="tree-toggle"
      aria-label={`${open ? 'Collapse' : 'Expand'} ${item.kind} ${describe(item)}`}
      aria-expanded={open}
      onClick={() => toggleOpen(item, !open)}
    >
      <span aria-hidden="true">{open ? '▾' : '▸'}</span>
    </button>
  );
});

function toggleOpen(item: TreeItem, open: boolean) {
  const t = useTreeState.getState();
  if (item.kind === 'study') t.setStudyExpanded(item.study.studyUid, item.index, open);
  else if (item.kind === 'series') t.setSeriesExpanded(item.series.seriesUid, open);
}

function isOpen(item: TreeItem): boolean {
  const t = useTreeState.getState();
  return item.kind === 'study' ? t.expandedStudies.has(item.study.studyUid) : item.kind === 'series' ? t.expandedSeries.has(item.series.seriesUid) : false;
}

function nameCell(item: TreeItem) {
  if (item.kind === 'study') {
    const s = item.study;
    return (
      <span className="tree-name">
        <strong>{formatPersonName(s.patientName) || 'Unnamed patient'}</strong>
        {s.patientId && <span className="muted"> · {s.patientId}</span>}
      </span>
    );
  }
  if (item.kind === 'series') {
    const s = item.series;
    return (
      <span className="tree-name" title={s.seriesUid}>
        Series {s.seriesNumber ?? '?'}
        {s.seriesDescription && <span className="muted"> · {s.seriesDescription}</span>}
      </span>
    );
  }
  return (
    <span className="tree-name mono" title={item.instance.path}>
      #{item.instance.instanceNumber ?? item.index + 1} · {item.instance.sopInstanceUid}
    </span>
  );
}

/** The library as a tree: studies → series → instances, with selection for "Verify selected". */
export function StudyTree({ search }: { search: string }) {
  const data = useTreeData(search);
  const toggleSelection = useToggleSelection(search);
  const toast = useToasts((s) => s.show);
  const [active, setActive] = useState<number | null>(null);

  const onToggle = useMemo(
    () => (item: TreeItem, shift: boolean) => {
      toggleSelection(item, shift).catch((e) => toast('error', `Selection failed: ${errorText(e)}`));
    },
    [toggleSelection, toast],
  );

  const columns = useMemo<Column<TreeItem>[]>(
    () => [
      { key: 'select', header: <span className="sr-only">Selected</span>, width: '36px', render: (i) => <SelectBox item={i} onToggle={onToggle} /> },
      {
        key: 'name',
        header: 'Patient / series / instance',
        width: 'minmax(220px, 3fr)',
        render: (i) => (
          <span className={`tree-cell level-${i.level}`}>
            <ExpandToggle item={i} />
            {nameCell(i)}
          </span>
        ),
      },
      { key: 'date', header: 'Study date', width: '100px', render: (i) => (i.kind === 'study' ? formatDicomDate(i.study.studyDate) : '') },
      {
        key: 'desc',
        header: 'Description',
        width: 'minmax(120px, 2fr)',
        render: (i) => (i.kind === 'study' ? <span title={i.study.studyUid}>{i.study.studyDescription ?? ''}</span> : i.kind === 'instance' ? <span className="mono muted" title={i.instance.path}>{i.instance.path}</span> : ''),
      },
      { key: 'modality', header: 'Modality', width: '80px', render: (i) => (i.kind === 'study' ? (i.study.modalities ?? '') : i.kind === 'series' ? (i.series.modality ?? '') : '') },
      { key: 'series', header: 'Series', width: '64px', align: 'end', render: (i) => (i.kind === 'study' ? formatCount(i.study.seriesCount) : '') },
      {
        key: 'instances',
        header: 'Instances',
        width: '84px',
        align: 'end',
        render: (i) => (i.kind === 'study' ? formatCount(i.study.instanceCount) : i.kind === 'series' ? formatCount(i.series.instanceCount) : formatBytes(i.instance.size)),
      },
    ],
    [onToggle],
  );

  const onKey = (e: KeyboardEvent, index: number): boolean => {
    const item = data.itemAt(index);
    if (!item) return false;
    if (e.key === ' ') {
      onToggle(item, e.shiftKey);
      return true;
    }
    if (e.key === 'ArrowRight' && item.kind !== 'instance' && !isOpen(item)) {
      toggleOpen(item, true);
      return true;
    }
    if (e.key === 'ArrowLeft') {
      if (item.kind !== 'instance' && isOpen(item)) {
        toggleOpen(item, false);
        return true;
      }
      // To the parent line.
      for (let i = index - 1; i >= 0; i--) {
        const up = data.model.rowAt(i);
        if (up && (item.kind === 'series' ? up.kind === 'study' : up.kind === 'series')) {
          setActive(i);
          return true;
        }
      }
    }
    return false;
  };

  return (
    <>
      <ErrorText error={data.error} prefix="Cannot load the library" />
      <VirtualTable
        label="Library studies, series and instances"
        testId="library-tree"
        role="treegrid"
        columns={columns}
        count={data.model.count}
        rowAt={data.itemAt}
        rowHeight={TABLE_KINDS.plain.rowHeight}
        onRangeChange={data.setVisibleRange}
        activeIndex={active}
        onActiveIndexChange={setActive}
        onKey={onKey}
        onActivate={(_, item) => item.kind !== 'instance' && toggleOpen(item, !isOpen(item))}
        rowProps={(item) =>
          item
            ? { 'aria-level': item.level, ...(item.kind !== 'instance' ? { 'aria-expanded': isOpen(item) } : {}) }
            : { 'aria-level': 1 }
        }
        empty={
          data.isLoading ? (
            <EmptyState title="Loading…" />
          ) : search.trim() ? (
            <EmptyState title={`No study matches “${search.trim()}”`}>Search looks in patient name and ID, accession number, description, date and Study UID.</EmptyState>
          ) : (
            <EmptyState title="The library is empty">Drop folders of DICOM studies on this window, or add a folder by its path above.</EmptyState>
          )
        }
      />
    </>
  );
}

