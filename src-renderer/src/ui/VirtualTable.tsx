import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { TABLE_KINDS } from './table-kinds';

export interface Column<T> {
  key: string;
  header: ReactNode;
  /** A CSS grid track: "80px", "2fr", "minmax(120px, 1fr)". */
  width: string;
  /** The cell of a loaded row (rows not loaded yet show a placeholder). */
  render(row: T, index: number): ReactNode;
  align?: 'start' | 'end' | 'center';
}

export interface VirtualTableProps<T> {
  /** The table's accessible name. */
  label: string;
  columns: readonly Column<T>[];
  count: number;
  rowAt(index: number): T | undefined;
  rowHeight?: number;
  /** Which rows are on screen (to fetch their pages). */
  onRangeChange?(start: number, end: number): void;
  /** The keyboard cursor (aria-activedescendant); the parent owns it. */
  activeIndex?: number | null;
  onActiveIndexChange?(index: number): void;
  /** Enter, or a click on a row. */
  onActivate?(index: number, row: T): void;
  isSelected?(row: T, index: number): boolean;
  /** Extra keys (tree: ArrowLeft/Right, Space); return true when handled. */
  onKey?(e: KeyboardEvent, activeIndex: number): boolean;
  /** Extra attributes of a row (aria-level, aria-expanded...). */
  rowProps?(row: T | undefined, index: number): Record<string, string | number | boolean>;
  rowClassName?(row: T, index: number): string;
  role?: 'grid' | 'treegrid';
  empty?: ReactNode;
  className?: string;
  /** For tests and benchmarks that find tables. */
  testId?: string;
}

/**
 * A virtualized table (@tanstack/react-virtual): only the rows on screen exist in
 * the DOM, each a memoized component that re-renders only when its own row object
 * changes (react-query keeps unchanged rows' identity across refetches).
 * Keyboard: focus stays on the table, ArrowUp/Down/PageUp/PageDown/Home/End move
 * the active row (aria-activedescendant), Enter activates it.
 */
export function VirtualTable<T>(p: VirtualTableProps<T>) {
  const rowHeight = p.rowHeight ?? TABLE_KINDS.plain.rowHeight;
  const scrollRef = useRef<HTMLDivElement>(null);
  const idPrefix = useId();
  const headerHeight = rowHeight;
  const virtualizer = useVirtualizer({
    count: p.count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    // The sticky header row sits above the rows inside the same scroller.
    scrollMargin: headerHeight,
    scrollPaddingStart: headerHeight,
  });
  const items = virtualizer.getVirtualItems();
  const start = items[0]?.index ?? 0;
  const end = items[items.length - 1]?.index ?? 0;

  const onRangeChange = p.onRangeChange;
  useEffect(() => {
    onRangeChange?.(start, end);
  }, [start, end, onRangeChange]);

  const template = p.columns.map((c) => c.width).join(' ');
  const active = p.activeIndex ?? null;

  // Handlers through a ref: rows stay memoized even when the parent passes new closures.
  const handlers = useRef(p);
  handlers.current = p;
  const onRowClick = useCallback((index: number) => {
    // A click puts the keyboard cursor there too: arrows go on from the clicked row.
    scrollRef.current?.focus({ preventScroll: true });
    const h = handlers.current;
    h.onActiveIndexChange?.(index);
    const row = h.rowAt(index);
    if (row !== undefined) h.onActivate?.(index, row);
  }, []);

  const move = (to: number) => {
    if (p.count === 0) return;
    const i = Math.max(0, Math.min(p.count - 1, to));
    p.onActiveIndexChange?.(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const cur = active ?? -1;
    const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? rowHeight * 10) / rowHeight) - 1);
    if (cur >= 0 && p.onKey?.(e, cur)) {
      e.preventDefault();
      return;
    }
    switch (e.key) {
      case 'ArrowDown':
        move(cur + 1);
        break;
      case 'ArrowUp':
        move(cur <= 0 ? 0 : cur - 1);
        break;
      case 'PageDown':
        move(cur + pageRows);
        break;
      case 'PageUp':
        move(cur - pageRows);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(p.count - 1);
        break;
      case 'Enter': {
        const row = cur >= 0 ? p.rowAt(cur) : undefined;
        if (row === undefined) return;
        p.onActivate?.(cur, row);
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  };

  return (
    <div
      ref={scrollRef}
      className={`vtable ${p.className ?? ''}`}
      data-testid={p.testId}
      role={p.role ?? 'grid'}
      aria-label={p.label}
      aria-rowcount={p.count + 1}
      aria-colcount={p.columns.length}
      aria-activedescendant={active !== null && active >= start && active <= end ? `${idPrefix}-r${active}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div role="row" aria-rowindex={1} className="vtable-row vtable-header" style={{ gridTemplateColumns: template, height: headerHeight }}>
        {p.columns.map((c) => (
          <div key={c.key} role="columnheader" className={`vtable-cell align-${c.align ?? 'start'}`}>
            {c.header}
          </div>
        ))}
      </div>
      {p.count === 0 ? (
        p.empty
      ) : (
        <div className="vtable-body" role="rowgroup" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = p.rowAt(item.index);
            return (
              <Row
                key={item.key}
                id={`${idPrefix}-r${item.index}`}
                index={item.index}
                top={item.start - headerHeight}
                height={rowHeight}
                row={row}
                columns={p.columns}
                template={template}
                active={active === item.index}
                selected={row !== undefined && (p.isSelected?.(row, item.index) ?? false)}
                className={row !== undefined ? p.rowClassName?.(row, item.index) : undefined}
                extra={p.rowProps?.(row, item.index)}
                onClick={onRowClick}
              />
            );
          })}
        </div>
      )}
    </div>
  );
}

interface RowProps<T> {
  id: string;
  index: number;
  top: number;
  height: number;
  row: T | undefined;
  columns: readonly Column<T>[];
  template: string;
  active: boolean;
  selected: boolean;
  className: string | undefined;
  extra: Record<string, unknown> | undefined;
  onClick(index: number): void;
}

const Row = memo(
  function Row<T>({ id, index, top, height, row, columns, template, active, selected, className, extra, onClick }: RowProps<T>) {
    return (
      <div
        id={id}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={selected}
        className={`vtable-row${active ? ' is-active' : ''}${selected ? ' is-selected' : ''}${row === undefined ? ' is-loading' : ''} ${className ?? ''}`}
        style={{ transform: `translateY(${top}px)`, height, gridTemplateColumns: template }}
        onClick={(e) => {
          // Controls inside a row (checkboxes, buttons) do their own thing.
          if ((e.target as HTMLElement).closest('input, button, a, select, label')) return;
          onClick(index);
        }}
        {...extra}
      >
        {columns.map((c) => (
          <div key={c.key} role="gridcell" className={`vtable-cell align-${c.align ?? 'start'}`}>
            {row === undefined ? (c === columns[0] ? <span className="loading-text">Loading…</span> : null) : c.render(row, index)}
          </div>
        ))}
      </div>
    );
  },
  (a, b) =>
    a.row === b.row &&
    a.index === b.index &&
    a.top === b.top &&
    a.active === b.active &&
    a.selected === b.selected &&
    a.columns === b.columns &&
    a.template === b.template &&
    a.className === b.className &&
    shallowEqual(a.extra, b.extra),
) as <T>(p: RowProps<T>) => ReactNode;

function shallowEqual(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}
