import { create } from 'zustand';
import type { Selection } from '../../../src-shared/outgoing';

export type SelectableKind = 'study' | 'series' | 'instance';

/** Where the last plain click happened, for shift-click ranges (within one kind and one parent). */
export interface Anchor {
  kind: SelectableKind;
  /** The study (for series) or series (for instances) the row belongs to; null for studies. */
  parent: string | null;
  index: number;
}

interface SelectionState {
  studies: ReadonlySet<string>;
  series: ReadonlySet<string>;
  instances: ReadonlySet<string>;
  anchor: Anchor | null;
  /** Selects or unselects some UIDs of one kind. */
  set(kind: SelectableKind, uids: readonly string[], selected: boolean): void;
  setAnchor(anchor: Anchor | null): void;
  clear(): void;
}

const field = { study: 'studies', series: 'series', instance: 'instances' } as const;

/** The library's selection (what "Verify selected" sends). UI state only: zustand, not react-query. */
export const useSelection = create<SelectionState>((set) => ({
  studies: new Set(),
  series: new Set(),
  instances: new Set(),
  anchor: null,
  set: (kind, uids, selected) =>
    set((s) => {
      const next = new Set(s[field[kind]]);
      for (const u of uids) {
        if (selected) next.add(u);
        else next.delete(u);
      }
      return { [field[kind]]: next } as Partial<SelectionState>;
    }),
  setAnchor: (anchor) => set({ anchor }),
  clear: () => set({ studies: new Set(), series: new Set(), instances: new Set(), anchor: null }),
}));

export function selectionCount(s: Pick<SelectionState, 'studies' | 'series' | 'instances'>): number {
  return s.studies.size + s.series.size + s.instances.size;
}

/** The selection as the contract's Selection (only the kinds that have something). */
export function toSelection(s: Pick<SelectionState, 'studies' | 'series' | 'instances'>): Selection {
  const out: Selection = {};
  if (s.studies.size) out.studies = [...s.studies];
  if (s.series.size) out.series = [...s.series];
  if (s.instances.size) out.instances = [...s.instances];
  return out;
}

/** "2 studies, 1 series, 3 instances" */
export function describeSelection(s: Pick<SelectionState, 'studies' | 'series' | 'instances'>): string {
  const parts: string[] = [];
  const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
  if (s.studies.size) parts.push(plural(s.studies.size, 'study', 'studies'));
  if (s.series.size) parts.push(plural(s.series.size, 'series', 'series'));
  if (s.instances.size) parts.push(plural(s.instances.size, 'instance', 'instances'));
  return parts.length ? parts.join(', ') : 'Nothing selected';
}
