import { useLayoutEffect, useState, type RefObject } from 'react';

/** The outcome colours of the charts: those of the progress bars and badges (styles/app.css). */
export const OUTCOME_COLORS = { committed: '#1a7f37', failed: '#c62828', pending: '#9aa4b2' } as const;

/** The width of an element, followed as it changes (charts are drawn to it). */
export function useElementWidth(ref: RefObject<HTMLElement | null>, fallback = 800): number {
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => setWidth(el.clientWidth || fallback);
    update();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref, fallback]);
  return width;
}
