import { RejectedMessageError } from '../errors.js';
import { QueryRefused } from './accept-query.js';

/** Fixed fault text: the gateway, not the caller or a register, is the bottleneck. */
export const OVERLOADED_DETAIL = 'Gateway überlastet, bitte später erneut senden';

/**
 * The intake shed a message because the worker pool's queue was full: a receiver-side S999 (HTTP 503), answered at once instead of at the deadline.
 * A QueryRefused, so the pipeline answers and protocols it like any refusal.
 */
export class WorkersOverloadedError extends QueryRefused {
  override readonly unavailable = true;
  constructor(readonly reason: 'queue-full') {
    super(new RejectedMessageError('S999', OVERLOADED_DETAIL, 'receiver'), undefined, {});
  }
}
