/**
 * Writes to a pipe are asynchronous on POSIX: what the pipe cannot take yet waits in memory,
 * and process.exit() drops it (`safekeep status --json | jq` was cut at 64 KiB). So the
 * command exits only once stdout and stderr have handed everything to the OS.
 */

/** Resolves once everything written to `stream` so far is flushed (or the stream is gone). */
export function flushed(stream: NodeJS.WritableStream & { writableLength?: number; destroyed?: boolean }): Promise<void> {
  if (stream.destroyed || stream.writableLength === 0) return Promise.resolve();
  // Writes complete in order: the callback of an empty write comes after every earlier one.
  return new Promise((resolve) => stream.write('', () => resolve()));
}

export async function exitWhenFlushed(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

/** A reader that stops early (`safekeep status | head`) is not an error of ours: stop writing quietly. */
export function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
}
