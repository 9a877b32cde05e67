/**
 * What the console's status page shows per target: the answers of the last minutes — rate,
 * outcome mix, latency p50/p99, the last technical failure class. 03 is one outcome ("none"):
 * the gateway never tells a miss from a block, so neither does this board. In memory, per
 * instance; pure apart from the clock it is given.
 */

/** The outcome classes of the mix (rueckweisung and technical failures grouped). */
export const OUTCOME_CLASSES = ['hit', 'list', 'none', 'rejected', 'technical'] as const;
export type OutcomeClass = (typeof OUTCOME_CLASSES)[number];

export interface TargetStatus {
  target: string;
  /** Answers in the window. */
  count: number;
  perMinute: number;
  mix: Record<OutcomeClass, number>;
  p50Ms?: number;
  p99Ms?: number;
  lastFailure?: { failureClass: string; at: Date };
}

interface Sample { at: number; outcome: OutcomeClass; ms: number }

/** The pipeline's outcome label (`hit`, `technical_timeout`, `rueckweisung_14`, …) as a class. */
export function outcomeClass(label: string): OutcomeClass {
  if (label.startsWith('technical')) return 'technical';
  if (label.startsWith('rueckweisung')) return 'rejected';
  return (OUTCOME_CLASSES as readonly string[]).includes(label) ? label as OutcomeClass : 'technical';
}

export class StatusBoard {
  private readonly samples = new Map<string, Sample[]>();
  private readonly failures = new Map<string, { failureClass: string; at: Date }>();

  constructor(private readonly windowMs = 15 * 60_000, private readonly clock: () => Date = () => new Date()) {}

  record(target: string, outcomeLabel: string, seconds: number): void {
    const now = this.clock();
    const list = this.samples.get(target) ?? [];
    list.push({ at: now.getTime(), outcome: outcomeClass(outcomeLabel), ms: seconds * 1000 });
    this.samples.set(target, list);
    if (outcomeLabel.startsWith('technical_')) this.failures.set(target, { failureClass: outcomeLabel.slice('technical_'.length), at: now });
    this.trim(list, now.getTime());
  }

  snapshot(): TargetStatus[] {
    const now = this.clock().getTime();
    const targets = new Set([...this.samples.keys(), ...this.failures.keys()]);
    return [...targets].sort().map((target) => {
      const list = this.samples.get(target) ?? [];
      this.trim(list, now);
      const mix = Object.fromEntries(OUTCOME_CLASSES.map((c) => [c, 0])) as Record<OutcomeClass, number>;
      for (const s of list) mix[s.outcome] += 1;
      const ms = list.map((s) => s.ms).sort((a, b) => a - b);
      const status: TargetStatus = { target, count: list.length, perMinute: list.length / (this.windowMs / 60_000), mix };
      if (ms.length > 0) {
        status.p50Ms = quantile(ms, 0.5);
        status.p99Ms = quantile(ms, 0.99);
      }
      const failure = this.failures.get(target);
      if (failure) status.lastFailure = failure;
      return status;
    });
  }

  private trim(list: Sample[], now: number): void {
    while (list.length > 0 && (list[0] as Sample).at < now - this.windowMs) list.shift();
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}
