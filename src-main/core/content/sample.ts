/**
 * Which committed instances a content check retrieves: all, or a random share of them with at least
 * one per series (so that no series goes unchecked however small the share).
 */
import type { ContentSample } from '../../../src-shared/content';

export interface Sampleable {
  seriesUid: string;
}

/** `random` returns [0, 1) (tests pass a seeded one). The chosen keep the input order. */
export function chooseSample<T extends Sampleable>(items: readonly T[], sample: ContentSample, random: () => number = Math.random): T[] {
  if (sample === 'all' || sample >= 100) return [...items];
  const target = Math.ceil((items.length * sample) / 100);
  const order = shuffledIndexes(items.length, random);
  const chosen = new Set<number>();
  // One per series first (the first of each series in the shuffled order: a random one of it).
  const seen = new Set<string>();
  for (const i of order) {
    if (seen.has(items[i]!.seriesUid)) continue;
    seen.add(items[i]!.seriesUid);
    chosen.add(i);
  }
  for (const i of order) {
    if (chosen.size >= target) break;
    chosen.add(i);
  }
  return [...chosen].sort((a, b) => a - b).map((i) => items[i]!);
}

/** Fisher-Yates. */
function shuffledIndexes(n: number, random: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
