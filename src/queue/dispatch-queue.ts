import type { DispatchHandler, DispatchJob } from './dispatch-job.js';
import type { RegisterReply } from '../answer/register-reply.js';
import type { TargetStats } from './target-stats.js';

/**
 * Carries forwarded queries to workers and their replies back to the instance holding the
 * caller's HTTP request. Two implementations: in-process (embedded default) and BullMQ on Redis.
 * `dispatch` settles by the job's deadline at the latest: with the reply, or with a
 * TechnicalFailureError ('timeout', 'unreachable', …).
 */
export interface DispatchQueue {
  dispatch(job: DispatchJob): Promise<RegisterReply>;
  /** Installs this instance's worker; `concurrencyOf` bounds parallel jobs per target. */
  process(handler: DispatchHandler, concurrencyOf: (target: string) => number): void;
  /** Outstanding dispatches and circuit state per target, as this instance sees them (metrics). */
  targetStats(): TargetStats[];
  /** Whether the queue store can take jobs now (for /ready). */
  ready(): Promise<boolean>;
  /** Stops taking jobs, lets running ones finish. */
  close(): Promise<void>;
}
