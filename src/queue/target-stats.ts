import type { CircuitState } from './circuit-breaker.js';
import type { TargetBreakers } from './target-breakers.js';

/** What this instance sees of a target: dispatches it waits for, and the circuit. */
export interface TargetStats {
  target: string;
  /** Dispatches of this instance not yet settled (queued or at the register). */
  outstanding: number;
  circuit: CircuitState;
}

/** Counts outstanding dispatches per target, for metrics; cheap enough for every call. */
export class TargetStatsTracker {
  private readonly outstanding = new Map<string, number>();

  async track<T>(target: string, run: () => Promise<T>): Promise<T> {
    this.outstanding.set(target, (this.outstanding.get(target) ?? 0) + 1);
    try {
      return await run();
    } finally {
      this.outstanding.set(target, (this.outstanding.get(target) ?? 1) - 1);
    }
  }

  snapshot(breakers: TargetBreakers | undefined): TargetStats[] {
    return [...this.outstanding.entries()].map(([target, outstanding]) => ({
      target, outstanding, circuit: breakers?.stateOf(target) ?? 'closed',
    }));
  }
}
