import type { SeriesRow } from '../../../../src-shared/contract/handlers';

/** One line of the studies → series → instances tree, by position (its data is fetched separately). */
export type TreeRow =
  | { kind: 'study'; index: number }
  | { kind: 'series'; studyUid: string; series: SeriesRow; position: number }
  | { kind: 'instance'; studyUid: string; seriesUid: string; index: number }
  /** The series of an expanded study are still loading. */
  | { kind: 'loading'; studyUid: string };

export interface ExpandedStudy {
  uid: string;
  /** Its position in the (filtered) list of studies. */
  index: number;
  /** Its series, once loaded. */
  series: readonly SeriesRow[] | undefined;
}

export interface TreeModel {
  /** Rows in all: every study, plus the children of expanded ones. */
  count: number;
  rowAt(flat: number): TreeRow | undefined;
  /** The flat position of a study (for keyboard moves to a parent). */
  flatIndexOfStudy(index: number): number;
}

interface Segment {
  study: ExpandedStudy;
  length: number;
}

function childCount(s: ExpandedStudy, expandedSeries: ReadonlySet<string>): number {
  if (!s.series) return 1;
  let n = 0;
  for (const r of s.series) n += 1 + (expandedSeries.has(r.seriesUid) ? r.instanceCount : 0);
  return n;
}

/**
 * The tree flattened for a virtualized list, without materialising it: a study
 * list of any length with a few expanded studies (whose series may hold thousands
 * of instances) maps a row number to what it shows in O(expanded studies).
 */
export function buildTreeModel(studyCount: number, expanded: readonly ExpandedStudy[], expandedSeries: ReadonlySet<string>): TreeModel {
  const segments: Segment[] = expanded
    .filter((s) => s.index >= 0 && s.index < studyCount)
    .sort((a, b) => a.index - b.index)
    .map((study) => ({ study, length: childCount(study, expandedSeries) }));
  const count = studyCount + segments.reduce((n, s) => n + s.length, 0);

  const rowAt = (flat: number): TreeRow | undefined => {
    if (flat < 0 || flat >= count) return undefined;
    let offset = 0; // flat position of study `studyPos`
    let studyPos = 0;
    for (const seg of segments) {
      const studiesUpTo = seg.study.index - studyPos + 1;
      if (flat < offset + studiesUpTo) return { kind: 'study', index: studyPos + (flat - offset) };
      offset += studiesUpTo;
      studyPos = seg.study.index + 1;
      if (flat < offset + seg.length) return childAt(seg.study, flat - offset, expandedSeries);
      offset += seg.length;
    }
    return { kind: 'study', index: studyPos + (flat - offset) };
  };

  const flatIndexOfStudy = (index: number): number => {
    let flat = index;
    for (const seg of segments) if (seg.study.index < index) flat += seg.length;
    return flat;
  };

  return { count, rowAt, flatIndexOfStudy };
}

function childAt(study: ExpandedStudy, local: number, expandedSeries: ReadonlySet<string>): TreeRow {
  if (!study.series) return { kind: 'loading', studyUid: study.uid };
  let rest = local;
  for (let position = 0; position < study.series.length; position++) {
    const series = study.series[position]!;
    if (rest === 0) return { kind: 'series', studyUid: study.uid, series, position };
    rest -= 1;
    if (expandedSeries.has(series.seriesUid)) {
      if (rest < series.instanceCount) return { kind: 'instance', studyUid: study.uid, seriesUid: series.seriesUid, index: rest };
      rest -= series.instanceCount;
    }
  }
  // Unreachable when the counts agree; a loading row is the harmless answer otherwise.
  return { kind: 'loading', studyUid: study.uid };
}
