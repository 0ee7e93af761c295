/**
 * The kinds of tables of the app: each row height and page size is named here once.
 * Every page is its own query (src/data/paged-rows.ts): bigger pages for the long
 * instance lists keep the number of queries on screen small while scrolling.
 */
export const TABLE_KINDS = {
  /** Requests and transactions: a progress bar and a badge in each row. */
  list: { rowHeight: 34, pageSize: 200 },
  /** The instances of one request or transaction: up to 100,000 rows, 500 a page. */
  instances: { rowHeight: 30, pageSize: 500 },
  /** A report's studies: numbers only, dense. */
  dense: { rowHeight: 30, pageSize: 200 },
  /** Library studies, series, instances and files. */
  plain: { rowHeight: 32, pageSize: 200 },
} as const;

export type TableKind = keyof typeof TABLE_KINDS;
