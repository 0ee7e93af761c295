import type { ReactNode } from 'react';

/** A short table shown whole (a few rows, no paging): a header of column names, then the rows the caller renders. */
export function SimpleTable({ headers, className, children }: { headers: readonly string[]; className?: string; children: ReactNode }) {
  return (
    <table className={className ? `table ${className}` : 'table'}>
      <thead>
        <tr>
          {headers.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
