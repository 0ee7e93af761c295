import { useState, type CSSProperties, type ReactNode } from 'react';
import { usePagedRows, type BaseArgs, type PagedHandler, type RowOf } from '../data/paged-rows';
import { EmptyState } from './EmptyState';
import { ErrorText } from './ErrorText';
import { TABLE_KINDS, type TableKind } from './table-kinds';
import { VirtualTable, type Column, type VirtualTableProps } from './VirtualTable';

type Passed = 'label' | 'testId' | 'onActivate' | 'isSelected';

export interface PagedListProps<K extends PagedHandler> extends Pick<VirtualTableProps<RowOf<K>>, Passed> {
  /** The handler that answers the rows a page at a time. */
  handler: K;
  /** Its arguments besides limit and offset: the filters. */
  args: BaseArgs<K>;
  kind: TableKind;
  columns: readonly Column<RowOf<K>>[];
  /** "Cannot load the requests". */
  errorPrefix: string;
  /** What shows when no row is there (once loaded). */
  empty: ReactNode;
  /** Above the table: the filters, and a note given the number of rows ("12 requests"). */
  toolbar?: { filters?: ReactNode; note(total: number): ReactNode };
  /** Class of the frame around toolbar, error and table (the pane it fills). */
  className?: string;
  /** Height of the frame for this many rows, when it is as tall as its rows. */
  height?(total: number): number;
  /** Class of the table itself. */
  tableClassName?: string;
}

/**
 * A list of rows fetched a page at a time where the user looks (usePagedRows), filtered by
 * its handler's arguments, with its toolbar, its error, its keyboard cursor and its empty state.
 */
export function PagedList<K extends PagedHandler>({ handler, args, kind, columns, errorPrefix, empty, toolbar, className, height, tableClassName, ...table }: PagedListProps<K>) {
  const { rowHeight, pageSize } = TABLE_KINDS[kind];
  const rows = usePagedRows(handler, args, { pageSize });
  const [active, setActive] = useState<number | null>(null);
  const style: CSSProperties | undefined = height ? { height: height(rows.total) } : undefined;
  return (
    <div className={className} style={style}>
      {toolbar && (
        <div className="toolbar">
          {toolbar.filters}
          <span className="toolbar-note" aria-live="polite">
            {toolbar.note(rows.total)}
          </span>
        </div>
      )}
      <ErrorText error={rows.error} prefix={errorPrefix} />
      <VirtualTable
        {...table}
        className={tableClassName}
        columns={columns}
        count={rows.total}
        rowAt={rows.rowAt}
        rowHeight={rowHeight}
        onRangeChange={rows.setVisibleRange}
        activeIndex={active}
        onActiveIndexChange={setActive}
        empty={rows.isLoading ? <EmptyState title="Loading…" /> : empty}
      />
    </div>
  );
}
