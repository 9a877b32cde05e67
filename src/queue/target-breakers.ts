import { TechnicalFailureError, type TechnicalFailure } from '../errors.js';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker.js';

/**
 * Failures that say "the register is not answering right now". Only these count towards
 * opening a circuit: a register that answers — even with a fault or an oversized body — is up.
 */
export const TRANSIENT_FAILURES: ReadonlySet<TechnicalFailure> = new Set(['unreachable', 'timeout']);

/**
 * One circuit breaker per target, applied around a dispatch. Shared by both queue
 * implementations so they refuse and recover the same way. The view is per gateway instance:
 * each instance learns from the dispatches it made itself.
 */
export class TargetBreakers {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    private readonly opts: CircuitBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  stateOf(target: string): CircuitState {
    return this.breakers.get(target)?.state ?? 'closed';
  }

  /** Runs `send` unless the target's circuit is open; records how it ended. */
  async run<T>(target: string, send: () => Promise<T>): Promise<T> {
    const breaker = this.breakerOf(target);
    const admission = breaker.admit();
    if (admission === 'refused') throw new TechnicalFailureError('circuitOpen');
    try {
      const result = await send();
      breaker.succeeded();
      return result;
    } catch (e) {
      if (e instanceof TechnicalFailureError && TRANSIENT_FAILURES.has(e.failure) && !e.unattributed) breaker.failed();
      else if (e instanceof TechnicalFailureError && isRegisterVerdict(e.failure)) breaker.succeeded();
      else breaker.released(admission);
      throw e;
    }
  }

  private breakerOf(target: string): CircuitBreaker {
    let breaker = this.breakers.get(target);
    if (breaker === undefined) {
      breaker = new CircuitBreaker(this.opts, this.now);
      this.breakers.set(target, breaker);
    }
    return breaker;
  }
}

/** Failures that prove the register answered something. */
function isRegisterVerdict(failure: TechnicalFailure): boolean {
  return failure === 'tooLarge' || failure === 'fault' || failure === 'returnToSender';
}
