import fs from 'node:fs';
import path from 'node:path';

/**
 * Yields every regular file below `root` (or `root` itself when it is a file).
 * Directories reached through symbolic links are not followed, so a link loop
 * cannot make a scan run forever. Unreadable sub-folders are reported, not fatal.
 */
export async function* walkFiles(
  root: string,
  onError: (dir: string, error: NodeJS.ErrnoException) => void,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const rootStat = await fs.promises.stat(root);
  if (rootStat.isFile()) {
    yield root;
    return;
  }
  const stack = [root];
  while (stack.length > 0) {
    if (signal?.aborted) return;
    const dir = stack.pop()!;
    let handle: fs.Dir;
    try {
      handle = await fs.promises.opendir(dir, { bufferSize: 256 });
    } catch (e) {
      onError(dir, e as NodeJS.ErrnoException);
      continue;
    }
    const subdirs: string[] = [];
    const files: string[] = [];
    for await (const entry of handle) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) subdirs.push(full);
      else if (entry.isFile()) files.push(full);
      else if (entry.isSymbolicLink()) {
        try {
          if ((await fs.promises.stat(full)).isFile()) files.push(full);
        } catch {
          /* dangling link: nothing to index */
        }
      }
    }
    // Name order, files before sub-folders: scans, progress and "first file wins" on duplicates are reproducible.
    yield* files.sort();
    stack.push(...subdirs.sort().reverse());
  }
}
