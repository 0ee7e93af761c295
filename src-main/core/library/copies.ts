import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { LibraryStore } from '../store/ports';

/** Waiting second copies read from the store at a time (no statement left open while hashing). */
const COPIES_BATCH = 100;

/** SHA-256 of a file, streamed (never the whole file in memory). */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Compares the second copies that have the same size as the file holding their instance ('compare'):
 * identical bytes make a duplicate copy, different bytes a conflict. Rare (a file copied twice into the
 * library), so it runs after a scan's walk rather than inside it. Each file is hashed at most once per call,
 * and hashes are kept in the index for the next comparison.
 */
export async function settleCopies(repo: LibraryStore, signal?: AbortSignal): Promise<{ duplicates: number; conflicts: number }> {
  const counts = { duplicates: 0, conflicts: 0 };
  const hashes = new Map<string, Promise<string>>();
  const hashOnce = (path: string, known: string | null) => {
    if (known) return Promise.resolve(known);
    let h = hashes.get(path);
    if (!h) hashes.set(path, (h = hashFile(path)));
    return h;
  };
  let after = '';
  for (;;) {
    const batch = await repo.pendingCopies(after, COPIES_BATCH);
    if (batch.length === 0) break;
    for (const c of batch) {
      if (signal?.aborted) return counts;
      after = c.path;
      let outcome: { hash: string; holderHash: string } | { error: string };
      try {
        outcome = { holderHash: await hashOnce(c.holderPath, c.holderHash), hash: await hashOnce(c.path, c.hash) };
      } catch (e) {
        outcome = { error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
      }
      const r = await repo.settleCopy(c, outcome);
      if (r === 'duplicate-copy') counts.duplicates++;
      else if (r === 'uid-conflict') counts.conflicts++;
    }
  }
  return counts;
}
