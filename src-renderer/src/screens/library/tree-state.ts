import { create } from 'zustand';

/** Which studies and series of the library tree are open (UI state). */
interface TreeState {
  /** Expanded studies, with their last known position in the list. */
  expandedStudies: ReadonlyMap<string, number>;
  expandedSeries: ReadonlySet<string>;
  setStudyExpanded(uid: string, index: number, open: boolean): void;
  setSeriesExpanded(uid: string, open: boolean): void;
  /** Positions move when the list changes (a scan adds studies): keeps them current. */
  updateStudyIndex(uid: string, index: number): void;
  collapseAll(): void;
}

export const useTreeState = create<TreeState>((set) => ({
  expandedStudies: new Map(),
  expandedSeries: new Set(),
  setStudyExpanded: (uid, index, open) =>
    set((s) => {
      const next = new Map(s.expandedStudies);
      if (open) next.set(uid, index);
      else next.delete(uid);
      return { expandedStudies: next };
    }),
  setSeriesExpanded: (uid, open) =>
    set((s) => {
      const next = new Set(s.expandedSeries);
      if (open) next.add(uid);
      else next.delete(uid);
      return { expandedSeries: next };
    }),
  updateStudyIndex: (uid, index) =>
    set((s) => {
      if (!s.expandedStudies.has(uid) || s.expandedStudies.get(uid) === index) return s;
      const next = new Map(s.expandedStudies);
      next.set(uid, index);
      return { expandedStudies: next };
    }),
  collapseAll: () => set({ expandedStudies: new Map(), expandedSeries: new Set() }),
}));
