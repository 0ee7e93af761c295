import { sep } from 'node:path';

/**
 * Library folders may nest (a folder and one of its sub-folders both added). Every indexed file belongs to
 * the closest folder that covers it, so removing one folder forgets only the files no other folder covers.
 */

/** Everything strictly below `root` starts with this. */
export function prefixOf(root: string): string {
  return root.endsWith(sep) ? root : root + sep;
}

/** True when `path` is `root` itself or lies below it. */
export function covers(root: string, path: string): boolean {
  return path === root || path.startsWith(prefixOf(root));
}

/** The deepest of `roots` that covers `path`, or undefined. */
export function closestRoot(path: string, roots: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const r of roots) if (covers(r, path) && (best === undefined || r.length > best.length)) best = r;
  return best;
}

/** The roots strictly below `root`, deepest first. */
export function rootsBelow(root: string, roots: readonly string[]): string[] {
  return roots.filter((r) => r !== root && covers(root, r)).sort((a, b) => b.length - a.length);
}

/** SQL condition "path is `root` or below it" on a column, with its arguments (exact: LIKE would ignore case). */
export function underSql(column: string, root: string): { sql: string; args: string[] } {
  const prefix = prefixOf(root);
  return { sql: `(${column} = ? OR substr(${column}, 1, length(?)) = ?)`, args: [root, prefix, prefix] };
}
