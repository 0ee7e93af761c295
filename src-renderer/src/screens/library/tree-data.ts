import { useQueries } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { InstanceRow, Page, SeriesRow, StudyRow } from '../../../../src-shared/contract/handlers';
import { useApi } from '../../api/context';
import { call } from '../../data/api-hooks';
import { apiKey } from '../../data/keys';
import { TABLE_KINDS } from '../../ui/table-kinds';
import { buildTreeModel, type TreeModel, type TreeRow } from './tree-model';
import { useTreeState } from './tree-state';

export const STUDY_PAGE = TABLE_KINDS.plain.pageSize;
export const INSTANCE_PAGE = TABLE_KINDS.plain.pageSize;

/** A loaded line of the tree: its position and its data. */
export type TreeItem =
  | { kind: 'study'; key: string; level: 1; index: number; study: StudyRow }
  | { kind: 'series'; key: string; level: 2; studyUid: string; position: number; series: SeriesRow }
  | { kind: 'instance'; key: string; level: 3; studyUid: string; seriesUid: string; index: number; instance: InstanceRow };

export function studiesArgs(search: string, page: number) {
  const s = search.trim();
  return { ...(s ? { search: s } : {}), limit: STUDY_PAGE, offset: page * STUDY_PAGE };
}

export function instancesArgs(seriesUid: string, page: number) {
  return { seriesUid, limit: INSTANCE_PAGE, offset: page * INSTANCE_PAGE };
}

/**
 * The data behind the library tree: pages of studies where the user looks, the
 * series of expanded studies, and pages of instances of expanded series.
 */
export function useTreeData(search: string) {
  const client = useApi();
  const expandedStudies = useTreeState((s) => s.expandedStudies);
  const expandedSeries = useTreeState((s) => s.expandedSeries);
  const [range, setRange] = useState({ start: 0, end: 40 });

  const expandedList = useMemo(() => [...expandedStudies.entries()], [expandedStudies]);
  const seriesResults = useQueries({
    queries: expandedList.map(([uid]) => ({
      queryKey: apiKey('library-series', { studyUid: uid }),
      queryFn: () => call(client, 'library-series', { studyUid: uid }),
    })),
  });

  // The number of studies survives page changes (no flicker), but not a new search.
  const totalRef = useRef({ search, total: 0 });
  if (totalRef.current.search !== search) totalRef.current = { search, total: 0 };

  const expandedWithSeries = expandedList.map(([uid, index], i) => ({ uid, index, series: seriesResults[i]?.data }));
  const usedTotal = totalRef.current.total;
  let model: TreeModel = buildTreeModel(usedTotal, expandedWithSeries, expandedSeries);

  // What the rows on screen need.
  const visible: TreeRow[] = [];
  for (let f = range.start; f <= Math.min(range.end, model.count - 1); f++) visible.push(model.rowAt(f)!);
  const studyPages = new Set<number>([Math.floor(range.start / STUDY_PAGE)]);
  const instancePages = new Map<string, { seriesUid: string; page: number }>();
  for (const r of visible) {
    if (r.kind === 'study') studyPages.add(Math.floor(r.index / STUDY_PAGE));
    if (r.kind === 'instance') {
      const page = Math.floor(r.index / INSTANCE_PAGE);
      instancePages.set(`${r.seriesUid}:${page}`, { seriesUid: r.seriesUid, page });
    }
  }
  const studyPageList = [...studyPages].sort((a, b) => a - b);
  const instancePageList = [...instancePages.values()];

  const pageResults = useQueries({
    queries: [
      ...studyPageList.map((page) => {
        const args = studiesArgs(search, page);
        return { queryKey: apiKey('library-studies', args), queryFn: () => call(client, 'library-studies', args) as Promise<Page<unknown>> };
      }),
      ...instancePageList.map(({ seriesUid, page }) => {
        const args = instancesArgs(seriesUid, page);
        return { queryKey: apiKey('library-instances', args), queryFn: () => call(client, 'library-instances', args) as Promise<Page<unknown>> };
      }),
    ],
  });

  const studies = new Map<number, StudyRow[]>();
  const instances = new Map<string, InstanceRow[]>();
  let error: Error | null = null;
  let isLoading = false;
  pageResults.forEach((r, i) => {
    if (r.error) error = r.error;
    if (r.isPending) isLoading = true;
    if (!r.data) return;
    if (i < studyPageList.length) {
      studies.set(studyPageList[i]!, r.data.rows as StudyRow[]);
      totalRef.current.total = r.data.total;
    } else {
      const p = instancePageList[i - studyPageList.length]!;
      instances.set(`${p.seriesUid}:${p.page}`, r.data.rows as InstanceRow[]);
    }
  });
  for (const r of seriesResults) if (r.error) error = r.error;
  // A page just told a new number of studies: the rows follow in this same render.
  if (totalRef.current.total !== usedTotal) model = buildTreeModel(totalRef.current.total, expandedWithSeries, expandedSeries);

  const studyAt = (index: number) => studies.get(Math.floor(index / STUDY_PAGE))?.[index % STUDY_PAGE];

  // A scan may add studies above an expanded one: its children follow it to its new position.
  useEffect(() => {
    if (expandedStudies.size === 0) return;
    for (const [page, rows] of studies) {
      rows.forEach((r, k) => {
        const at = expandedStudies.get(r.studyUid);
        if (at !== undefined && at !== page * STUDY_PAGE + k) useTreeState.getState().updateStudyIndex(r.studyUid, page * STUDY_PAGE + k);
      });
    }
  });

  // Keep each line's object while its data is the same object, so memoized rows skip re-rendering.
  const cache = useRef(new Map<string, TreeItem>());
  const itemAt = (flat: number): TreeItem | undefined => {
    const r = model.rowAt(flat);
    if (!r || r.kind === 'loading') return undefined;
    let next: TreeItem | undefined;
    if (r.kind === 'study') {
      const study = studyAt(r.index);
      if (study) next = { kind: 'study', key: `st:${study.studyUid}`, level: 1, index: r.index, study };
    } else if (r.kind === 'series') {
      next = { kind: 'series', key: `se:${r.series.seriesUid}`, level: 2, studyUid: r.studyUid, position: r.position, series: r.series };
    } else {
      const instance = instances.get(`${r.seriesUid}:${Math.floor(r.index / INSTANCE_PAGE)}`)?.[r.index % INSTANCE_PAGE];
      if (instance) next = { kind: 'instance', key: `in:${instance.sopInstanceUid}`, level: 3, studyUid: r.studyUid, seriesUid: r.seriesUid, index: r.index, instance };
    }
    if (!next) return undefined;
    const prev = cache.current.get(next.key);
    if (prev && sameItem(prev, next)) return prev;
    if (cache.current.size > 5000) cache.current.clear();
    cache.current.set(next.key, next);
    return next;
  };

  const setVisibleRange = useCallback((start: number, end: number) => {
    setRange((cur) => (cur.start === start && cur.end === end ? cur : { start, end }));
  }, []);

  return { model, itemAt, studyTotal: totalRef.current.total, setVisibleRange, isLoading, error: error as Error | null };
}

function sameItem(a: TreeItem, b: TreeItem): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'study' && b.kind === 'study') return a.study === b.study && a.index === b.index;
  if (a.kind === 'series' && b.kind === 'series') return a.series === b.series && a.position === b.position;
  if (a.kind === 'instance' && b.kind === 'instance') return a.instance === b.instance && a.index === b.index;
  return false;
}
