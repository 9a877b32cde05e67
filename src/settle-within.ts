/**
 * A promise raced against a timer: its value, or `fallback` when it rejects or has not settled
 * within `ms`. The timer never outlives the race. Used wherever a store, a key or a peer may
 * hang and the caller must answer anyway (/ready, probes, shutdown steps).
 */
export function settleWithin<T, F>(p: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => { timer = setTimeout(() => resolve(fallback), Math.max(0, ms)); });
  return Promise.race([p.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}
