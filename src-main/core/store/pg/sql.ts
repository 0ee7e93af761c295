/** Small helpers for the statements of the PostgreSQL repositories. */

/** `items` in parts of at most `size`, each with the index of its first item. */
export function chunks<T>(items: readonly T[], size: number): [number, readonly T[]][] {
  const out: [number, readonly T[]][] = [];
  for (let k = 0; k < items.length; k += size) out.push([k, items.slice(k, k + size)]);
  return out;
}

/** "WHERE column = ? AND …" for the columns given a value (undefined ones are left out), and its arguments. */
export function whereOf(equals: Record<string, unknown>): { sql: string; args: unknown[] } {
  const given = Object.entries(equals).filter(([, v]) => v !== undefined);
  return { sql: given.length ? `WHERE ${given.map(([c]) => `${c} = ?`).join(' AND ')}` : '', args: given.map(([, v]) => v) };
}
