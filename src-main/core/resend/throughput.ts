/** Instances/s, MB/s and time left of a round, from what has been sent since it began. */
export interface Rates {
  instancesPerSecond: number;
  megabytesPerSecond: number;
  secondsLeft: number | null;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function ratesOf(o: { done: number; total: number; bytes: number; elapsedMs: number }): Rates {
  const seconds = o.elapsedMs / 1000;
  if (seconds <= 0 || o.done === 0) return { instancesPerSecond: 0, megabytesPerSecond: 0, secondsLeft: null };
  const perSecond = o.done / seconds;
  return {
    instancesPerSecond: round1(perSecond),
    megabytesPerSecond: round1(o.bytes / 1e6 / seconds),
    secondsLeft: Math.ceil((o.total - o.done) / perSecond),
  };
}
