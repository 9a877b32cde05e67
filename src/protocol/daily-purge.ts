import type { Logger } from 'pino';
import type { ProtocolStore } from './protocol-store.js';
import { localDateOf, startOfLocalDay } from './retention.js';

/**
 * The retention job of a running gateway: right after each local midnight (Europe/Berlin) it
 * deletes what is past retention, so a record never outlives the end of the following year.
 * Several instances may run it; the store serialises purges on the chain heads.
 */
export function startDailyPurge(store: ProtocolStore, log: Logger, clock: () => Date = () => new Date()): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    if (stopped) return;
    const now = clock();
    const today = localDateOf(now);
    const tomorrow = startOfLocalDay({ ...today, day: today.day + 1 });
    const delay = Math.max(1_000, Math.min(tomorrow.getTime() - now.getTime() + 1_000, 2 ** 31 - 1));
    timer = setTimeout(() => {
      store.purge(clock(), { dryRun: false }).then(
        (report) => log.info({ purged: report.total, cutoff: report.cutoff.toISOString() }, 'protocol purge'),
        (err: unknown) => log.error({ err: err instanceof Error ? err.name : 'unknown' }, 'protocol purge failed'),
      ).finally(schedule);
    }, delay);
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
