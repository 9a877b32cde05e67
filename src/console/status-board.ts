/**
 * What the console's status page shows per target: the answers of the last minutes — rate,
 * outcome mix, latency p50/p99, the last technical failure class. 03 is one outcome ("none"):
 * the gateway never tells a miss from a block, so neither does this board. In memory, per
 * instance, of a size that does not grow with the rate (counters per slice of the window and
 * latency bin); pure apart from the clock it is given.
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

/** The pipeline's outcome label (`hit`, `technical_timeout`, `rueckweisung_14`, …) as a class. */
export function outcomeClass(label: string): OutcomeClass {
  if (label.startsWith('technical')) return 'technical';
  if (label.startsWith('rueckweisung')) return 'rejected';
  return (OUTCOME_CLASSES as readonly string[]).includes(label) ? label as OutcomeClass : 'technical';
}

/**
 * Latency bins, 16 per doubling (each ≈ 4.4 % wide) from 0.1 ms: the quantiles are the bins'
 * middles, close enough for a status page, and a window holds a few counters per bin instead of
 * every answer (at 100 answers a second, 15 minutes were 90 000 samples per target).
 */
const BIN_BASE_MS = 0.1;
const BINS_PER_DOUBLING = 16;

function binOf(ms: number): number {
  return ms < BIN_BASE_MS ? 0 : Math.floor(Math.log2(ms / BIN_BASE_MS) * BINS_PER_DOUBLING) + 1;
}

function binMiddleMs(bin: number): number {
  return bin === 0 ? BIN_BASE_MS / 2 : BIN_BASE_MS * 2 ** ((bin - 0.5) / BINS_PER_DOUBLING);
}

/** The window is kept in this many slices; an answer leaves it with its slice. */
const SLICES = 60;

/** The answers of one slice of the window. */
interface Slice {
  index: number;
  mix: Record<OutcomeClass, number>;
  /** latency bin → answers */
  bins: Map<number, number>;
}

const emptyMix = (): Record<OutcomeClass, number> => Object.fromEntries(OUTCOME_CLASSES.map((c) => [c, 0])) as Record<OutcomeClass, number>;

export class StatusBoard {
  private readonly slices = new Map<string, Slice[]>();
  private readonly failures = new Map<string, { failureClass: string; at: Date }>();
  private readonly sliceMs: number;

  constructor(private readonly windowMs = 15 * 60_000, private readonly clock: () => Date = () => new Date()) {
    this.sliceMs = windowMs / SLICES;
  }

  record(target: string, outcomeLabel: string, seconds: number): void {
    const now = this.clock();
    const index = Math.floor(now.getTime() / this.sliceMs);
    let list = this.slices.get(target);
    if (list === undefined) {
      list = [];
      this.slices.set(target, list);
    }
    let slice = list[list.length - 1];
    if (slice === undefined || slice.index !== index) {
      slice = { index, mix: emptyMix(), bins: new Map() };
      list.push(slice);
      this.trim(list, now.getTime());
    }
    slice.mix[outcomeClass(outcomeLabel)] += 1;
    const bin = binOf(seconds * 1000);
    slice.bins.set(bin, (slice.bins.get(bin) ?? 0) + 1);
    if (outcomeLabel.startsWith('technical_')) this.failures.set(target, { failureClass: outcomeLabel.slice('technical_'.length), at: now });
  }

  snapshot(): TargetStatus[] {
    const now = this.clock().getTime();
    const targets = new Set([...this.slices.keys(), ...this.failures.keys()]);
    return [...targets].sort().map((target) => {
      const list = this.slices.get(target) ?? [];
      this.trim(list, now);
      const mix = emptyMix();
      const bins = new Map<number, number>();
      for (const slice of list) {
        for (const c of OUTCOME_CLASSES) mix[c] += slice.mix[c];
        for (const [bin, n] of slice.bins) bins.set(bin, (bins.get(bin) ?? 0) + n);
      }
      const count = OUTCOME_CLASSES.reduce((sum, c) => sum + mix[c], 0);
      const status: TargetStatus = { target, count, perMinute: count / (this.windowMs / 60_000), mix };
      if (count > 0) {
        const sorted = [...bins].sort((x, y) => x[0] - y[0]);
        status.p50Ms = quantile(sorted, count, 0.5);
        status.p99Ms = quantile(sorted, count, 0.99);
      }
      const failure = this.failures.get(target);
      if (failure) status.lastFailure = failure;
      return status;
    });
  }

  /** Drops the slices that lie wholly before the window. */
  private trim(list: Slice[], now: number): void {
    const oldest = Math.floor((now - this.windowMs) / this.sliceMs);
    while (list.length > 0 && (list[0] as Slice).index < oldest) list.shift();
  }
}

/** The bin holding the answer of rank ⌈q·count⌉ (nearest rank), as its middle. */
function quantile(sortedBins: Array<[number, number]>, count: number, q: number): number {
  const rank = Math.max(1, Math.ceil(q * count));
  let seen = 0;
  for (const [bin, n] of sortedBins) {
    seen += n;
    if (seen >= rank) return binMiddleMs(bin);
  }
  return binMiddleMs((sortedBins[sortedBins.length - 1] as [number, number])[0]);
}
