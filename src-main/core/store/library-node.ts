import { NODE_ID_PATTERN } from '../../../src-shared/nodes';

/**
 * The library is per node (issue 13): every row of library_roots and library_files carries the node that
 * indexed it, and a node's library repository reads and writes its own rows only. The node id goes into the
 * repository's SQL as a literal (it is fixed for the repository's life, and many statements are prepared
 * once): only an id of NODE_ID_PATTERN's characters is accepted, so the literal can never close its quotes.
 */
export function nodeLiteral(nodeId: string): string {
  if (!NODE_ID_PATTERN.test(nodeId)) throw new Error(`Not a node id: ${JSON.stringify(nodeId)}`);
  return `'${nodeId}'`;
}

/** The node a store opened without one serves (tests and tools that open a store directly). */
export const DEFAULT_LIBRARY_NODE = 'local';

/**
 * The rows indexed before the library was per node (migration 11) belong to '' until a node takes them: the
 * first node that opens the store after the upgrade, which is the one that indexed them on a single node.
 */
export const ADOPT_LIBRARY = [
  `UPDATE library_roots SET node_id = ? WHERE node_id = ''`,
  `UPDATE library_files SET node_id = ? WHERE node_id = ''`,
] as const;
