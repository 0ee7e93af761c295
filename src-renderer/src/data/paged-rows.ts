import { useQueries } from '@tanstack/react-query';
import { useCallback, useMemo, useRef, useState } from 'react';
import type { Page, SafekeepResults } from '../../../src-shared/contract/handlers';
import type { ArgsOf, HandlerName } from '../../../src-shared/contract/schemas';
import { useApi } from '../api/context';
import { call } from './api-hooks';
import { apiKey } from './keys';

/** Handlers that answer a Page of rows for limit/offset. */
export type PagedHandler = {
  [K in HandlerName]: SafekeepResults[K] extends Page<unknown> ? ('limit' extends keyof ArgsOf<K> ? K : never) : never;
}[HandlerName];

export type RowOf<K extends PagedHandler> = SafekeepResults[K] extends Page<infer R> ? R : never;
export type BaseArgs<K extends PagedHandler> = Omit<ArgsOf<K>, 'limit' | 'offset'>;

export interface PagedRows<T> {
  /** Rows in all (the last known total while the visible pages load). */
  total: number;
  /** The row at an index, if its page is loaded. */
  rowAt(index: number): T | undefined;
  /** Tells which rows are on screen; only their pages are fetched (and refetched on events). */
  setVisibleRange(start: number, end: number): void;
  isLoading: boolean;
  error: Error | null;
}

/** The page numbers covering rows start..end (inclusive), plus one page of look-ahead each side. */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  const first = Math.max(0, Math.floor(start / pageSize) - (start % pageSize < pageSize / 4 ? 1 : 0));
  const last = Math.floor(Math.max(start, end) / pageSize) + ((end % pageSize) > (pageSize * 3) / 4 ? 1 : 0);
  const out: number[] = [];
  for (let p = first; p <= last; p++) out.push(p);
  return out;
}

/**
 * Rows of a big table fetched a page at a time, only where the user looks. Each page
 * is its own query, so an event refetches the pages on screen and nothing else.
 */
export function usePagedRows<K extends PagedHandler>(
  name: K,
  baseArgs: BaseArgs<K>,
  o: { pageSize: number; enabled?: boolean },
): PagedRows<RowOf<K>> {
  const client = useApi();
  const pageSize = o.pageSize;
  const [range, setRange] = useState({ start: 0, end: 0 });
  const argsKey = JSON.stringify(baseArgs);
  const pages = useMemo(() => pagesFor(range.start, range.end, pageSize), [range.start, range.end, pageSize]);

  const results = useQueries({
    queries: pages.map((p) => {
      const args = { ...baseArgs, limit: pageSize, offset: p * pageSize } as ArgsOf<K>;
      return {
        queryKey: apiKey(name, args),
        queryFn: () => call(client, name, args) as Promise<Page<RowOf<K>>>,
        enabled: o.enabled ?? true,
      };
    }),
  });

  // The total survives page changes (no flicker to 0 while the next pages load), but not a change of filter.
  const totalRef = useRef<{ key: string; total: number }>({ key: argsKey, total: 0 });
  if (totalRef.current.key !== argsKey) totalRef.current = { key: argsKey, total: 0 };
  const loaded = new Map<number, RowOf<K>[]>();
  let error: Error | null = null;
  let isLoading = false;
  results.forEach((r, i) => {
    if (r.data) {
      loaded.set(pages[i]!, r.data.rows);
      totalRef.current.total = r.data.total;
    }
    if (r.error) error = r.error;
    if (r.isPending && (o.enabled ?? true)) isLoading = true;
  });
  const total = totalRef.current.total;

  const setVisibleRange = useCallback((start: number, end: number) => {
    setRange((cur) => {
      // Only a change of pages matters; scrolling within a page does not re-render.
      const same = pagesFor(cur.start, cur.end, pageSize).join() === pagesFor(start, end, pageSize).join();
      return same ? cur : { start, end };
    });
  }, [pageSize]);

  const rowAt = (index: number) => loaded.get(Math.floor(index / pageSize))?.[index % pageSize];
  return { total, rowAt, setVisibleRange, isLoading, error };
}
