/**
 * An async check that is asked for again while it runs (a change announced mid-read) runs once more when it
 * ends: never two at once, never a change left unseen, however many times it is asked meanwhile.
 */
export function coalesced(fn: () => Promise<void>, onError: (e: unknown) => void): () => void {
  let running = false;
  let again = false;
  const run = async (): Promise<void> => {
    running = true;
    try {
      do {
        again = false;
        try {
          await fn();
        } catch (e) {
          onError(e);
        }
      } while (again);
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) again = true;
    else void run();
  };
}
