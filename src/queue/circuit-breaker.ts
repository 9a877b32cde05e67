/**
 * Circuit breaker for one target register, as pure logic: no timers, no I/O, the clock is
 * injected. A caller asks `admit()` before sending and reports the outcome afterwards.
 *
 * closed    → every call passes; `failureThreshold` consecutive failures open the circuit.
 * open      → every call is refused until `coolDownMs` have passed since it opened.
 * half-open → exactly one probe passes; its success closes the circuit, its failure opens it
 *             again for another cool-down. Others are refused while the probe runs.
 *
 * Why: a register that is down would otherwise tie up worker slots and callers' deadlines for
 * every query; refusing at once gives callers a fast, honest technical answer.
 */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before letting one probe through. */
  coolDownMs: number;
}

export type CircuitState = 'closed' | 'open' | 'halfOpen';

/** What `admit` decided: `call` or `probe` may go ahead, `refused` may not. */
export type Admission = 'call' | 'probe' | 'refused';

export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerOptions = { failureThreshold: 5, coolDownMs: 30_000 };

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;

  constructor(
    private readonly opts: CircuitBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (!(opts.failureThreshold >= 1)) throw new RangeError('failureThreshold must be at least 1');
    if (!(opts.coolDownMs >= 0)) throw new RangeError('coolDownMs must not be negative');
  }

  get state(): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.opts.coolDownMs ? 'halfOpen' : 'open';
  }

  admit(): Admission {
    switch (this.state) {
      case 'closed':
        return 'call';
      case 'open':
        return 'refused';
      case 'halfOpen':
        if (this.probing) return 'refused';
        this.probing = true;
        return 'probe';
    }
  }

  /** The register answered (any answer: it is reachable). */
  succeeded(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  /** A transient failure (unreachable, timeout) of an admitted call. */
  failed(): void {
    this.failures += 1;
    if (this.probing || this.openedAt !== undefined || this.failures >= this.opts.failureThreshold) {
      // A failed probe (or a straggler finishing while open) restarts the cool-down.
      this.openedAt = this.now();
    }
    this.probing = false;
  }

  /**
   * The call ended without telling anything about the register (e.g. the gateway shut down, or
   * its own queue store failed): a probe slot is given back, the counters stay.
   */
  released(admission: Admission): void {
    if (admission === 'probe') this.probing = false;
  }
}
