import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { ApiClient } from '../../../../src-shared/contract/client';
import type { SeriesRow } from '../../../../src-shared/contract/handlers';
import { useApi } from '../../api/context';
import { call } from '../../data/api-hooks';
import { apiKey } from '../../data/keys';
import { useSelection, type Anchor, type SelectableKind } from '../../state/selection';
import type { TreeItem } from './tree-data';

export function uidOf(item: TreeItem): string {
  return item.kind === 'study' ? item.study.studyUid : item.kind === 'series' ? item.series.seriesUid : item.instance.sopInstanceUid;
}

function anchorOf(item: TreeItem): Anchor {
  if (item.kind === 'study') return { kind: 'study', parent: null, index: item.index };
  if (item.kind === 'series') return { kind: 'series', parent: item.studyUid, index: item.position };
  return { kind: 'instance', parent: item.seriesUid, index: item.index };
}

/** Selected by itself (its own checkbox), or through a selected study or series above it. */
export function selectionStateOf(
  s: { studies: ReadonlySet<string>; series: ReadonlySet<string>; instances: ReadonlySet<string> },
  item: TreeItem,
): { checked: boolean; implied: boolean } {
  if (item.kind === 'study') return { checked: s.studies.has(item.study.studyUid), implied: false };
  const byStudy = s.studies.has(item.studyUid);
  if (item.kind === 'series') return { checked: byStudy || s.series.has(item.series.seriesUid), implied: byStudy };
  const byParent = byStudy || s.series.has(item.seriesUid);
  return { checked: byParent || s.instances.has(item.instance.sopInstanceUid), implied: byParent };
}

/** The UIDs of rows lo..hi of one kind under one parent (fetched: a range may span rows never loaded). */
async function uidsInRange(client: ApiClient, qc: QueryClient, search: string, kind: SelectableKind, parent: string | null, lo: number, hi: number): Promise<string[]> {
  const limit = hi - lo + 1;
  if (kind === 'study') {
    const s = search.trim();
    const args = { ...(s ? { search: s } : {}), offset: lo, limit };
    const page = await qc.fetchQuery({ queryKey: apiKey('library-studies', args), queryFn: () => call(client, 'library-studies', args) });
    return page.rows.map((r) => r.studyUid);
  }
  if (kind === 'series') {
    const args = { studyUid: parent! };
    const series: SeriesRow[] = await qc.fetchQuery({ queryKey: apiKey('library-series', args), queryFn: () => call(client, 'library-series', args) });
    return series.slice(lo, hi + 1).map((r) => r.seriesUid);
  }
  const args = { seriesUid: parent!, offset: lo, limit };
  const page = await qc.fetchQuery({ queryKey: apiKey('library-instances', args), queryFn: () => call(client, 'library-instances', args) });
  return page.rows.map((r) => r.sopInstanceUid);
}

/**
 * Click (or Space) on a row's checkbox: toggles it; with Shift, applies the same
 * to every row of the same kind between it and the last one clicked (the anchor).
 */
export function useToggleSelection(search: string) {
  const client = useApi();
  const qc = useQueryClient();
  return useCallback(
    async (item: TreeItem, shift: boolean) => {
      const sel = useSelection.getState();
      const state = selectionStateOf(sel, item);
      if (state.implied) return; // part of a selected study/series: unselect that instead
      const selected = !state.checked;
      const here = anchorOf(item);
      const a = sel.anchor;
      if (shift && a && a.kind === here.kind && a.parent === here.parent && a.index !== here.index) {
        const uids = await uidsInRange(client, qc, search, here.kind, here.parent, Math.min(a.index, here.index), Math.max(a.index, here.index));
        useSelection.getState().set(here.kind, uids, selected);
      } else {
        sel.set(here.kind, [uidOf(item)], selected);
      }
      useSelection.getState().setAnchor(here);
    },
    [client, qc, search],
  );
}

/** Every study matching the search (up to the API's 100,000). */
export async function allStudyUids(client: ApiClient, search: string): Promise<string[]> {
  const s = search.trim();
  const page = await call(client, 'library-studies', { ...(s ? { search: s } : {}), offset: 0, limit: 100_000 });
  return page.rows.map((r) => r.studyUid);
}
