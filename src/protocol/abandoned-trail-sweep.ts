import type { Logger } from 'pino';
import type { ProtocolStore } from './protocol-store.js';

export interface AbandonedTrailSweepOptions {
  /** The longest a query may take (the request deadline): younger trails may still be worked on. */
  deadlineMs: number;
  /** How far back a sweep looks (default 7 days; the first sweep after an outage covers it). */
  lookbackMs?: number;
  /** Between sweeps (default 10 minutes). */
  intervalMs?: number;
  log: Pick<Logger, 'info' | 'error'>;
  clock?: () => Date;
}

/** Time past the deadline before a trail counts as abandoned: clock skew between instances. */
const GRACE_MS = 60_000;

/**
 * Closes the trails that a crash left open (contract: every accepted query's trail ends), at
 * start and then periodically. Safe with many instances: it touches only trails older than any
 * deadline, and each closing is an ordinary append to the chain.
 */
export function startAbandonedTrailSweep(store: ProtocolStore, opts: AbandonedTrailSweepOptions): { stop(): void; done: Promise<void> } {
  const clock = opts.clock ?? (() => new Date());
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const sweep = async (): Promise<void> => {
    const now = clock().getTime();
    try {
      const closed = await store.closeAbandoned(new Date(now - (opts.lookbackMs ?? 7 * 86_400_000)), new Date(now - opts.deadlineMs - GRACE_MS));
      if (closed > 0) opts.log.info({ closed }, 'protocol: abandoned trails closed with an aborted hop');
    } catch (err) {
      opts.log.error({ err: err instanceof Error ? err.name : 'unknown' }, 'protocol: closing abandoned trails failed');
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void sweep().finally(schedule), opts.intervalMs ?? 600_000);
    timer.unref();
  };
  const done = sweep().finally(schedule);
  return {
    done,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
