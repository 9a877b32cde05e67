import type { TechnicalFailure } from '../errors.js';
import { TRANSIENT_FAILURES } from './target-breakers.js';

/** The register did not answer, or the instance sending died mid-flight: worth a new message. */
const RETRYABLE: ReadonlySet<TechnicalFailure> = new Set([...TRANSIENT_FAILURES, 'interrupted']);

export interface RetryOptions {
  /** Attempts in total, the first included. */
  attempts: number;
  /** Delay before the first retry; doubled for each further one. */
  backoffMs: number;
  /** A retry is only worth starting with at least this much time left before the deadline. */
  minAttemptMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 3, backoffMs: 200, minAttemptMs: 500 };

/**
 * When a failed attempt is tried again (by the pipeline, as a new message). Pure: the numbers
 * alone decide.
 */
export class RetryPolicy {
  constructor(readonly opts: RetryOptions = DEFAULT_RETRY) {
    if (!(opts.attempts >= 1)) throw new RangeError('attempts must be at least 1');
  }

  /** Delay before the retry following failed attempt number `failedAttempts` (1-based). */
  delayAfter(failedAttempts: number): number {
    return Math.round(this.opts.backoffMs * 2 ** Math.max(0, failedAttempts - 1));
  }

  /**
   * Only transient failures (the register did not answer, the attempt was interrupted) are
   * retried, only while attempts are left, and only if the retry can still finish before the
   * caller's deadline.
   */
  shouldRetry(failure: TechnicalFailure, failedAttempts: number, deadline: number, now: number): boolean {
    if (!RETRYABLE.has(failure)) return false;
    if (failedAttempts >= this.opts.attempts) return false;
    return now + this.delayAfter(failedAttempts) + this.opts.minAttemptMs <= deadline;
  }
}
