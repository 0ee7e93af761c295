import { useState } from 'react';
import type { PagedRows } from '../data/paged-rows';
import { VirtualTable, type VirtualTableProps } from './VirtualTable';

type Wired = 'count' | 'rowAt' | 'onRangeChange' | 'activeIndex' | 'onActiveIndexChange';

/** A VirtualTable over rows fetched a page at a time (usePagedRows), with its own keyboard cursor. */
export function PagedTable<T>({ rows, ...p }: { rows: PagedRows<T> } & Omit<VirtualTableProps<T>, Wired>) {
  const [active, setActive] = useState<number | null>(null);
  return <VirtualTable {...p} count={rows.total} rowAt={rows.rowAt} onRangeChange={rows.setVisibleRange} activeIndex={active} onActiveIndexChange={setActive} />;
}
