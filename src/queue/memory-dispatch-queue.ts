import { TechnicalFailureError } from '../errors.js';
import type { DispatchHandler, DispatchJob } from './dispatch-job.js';
import type { RegisterReply } from '../answer/register-reply.js';
import type { DispatchQueue } from './dispatch-queue.js';
import type { CircuitBreakerOptions } from './circuit-breaker.js';
import { TargetBreakers } from './target-breakers.js';
import { TargetStatsTracker, type TargetStats } from './target-stats.js';

export interface MemoryDispatchQueueOptions {
  /** Per-target circuit breaker; none when absent. */
  circuitBreaker?: CircuitBreakerOptions;
}

interface Waiting {
  job: DispatchJob;
  resolve: (r: RegisterReply) => void;
  reject: (e: unknown) => void;
  /** Ends the wait at the deadline if the job is still queued: the register was never asked. */
  expiry: NodeJS.Timeout;
}

/** In-process queue: one FIFO per target, bounded concurrency per target, deadlines enforced. */
export class MemoryDispatchQueue implements DispatchQueue {
  private handler: DispatchHandler | undefined;
  private concurrencyOf: (target: string) => number = () => 16;
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly running = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;
  private readonly breakers: TargetBreakers | undefined;
  private readonly stats = new TargetStatsTracker();

  constructor(opts: MemoryDispatchQueueOptions = {}) {
    this.breakers = opts.circuitBreaker ? new TargetBreakers(opts.circuitBreaker) : undefined;
  }

  dispatch(job: DispatchJob): Promise<RegisterReply> {
    return this.stats.track(job.target, () =>
      this.breakers ? this.breakers.run(job.target, () => this.enqueue(job)) : this.enqueue(job));
  }

  targetStats(): TargetStats[] {
    return this.stats.snapshot(this.breakers);
  }

  private enqueue(job: DispatchJob): Promise<RegisterReply> {
    if (this.closed) return Promise.reject(new TechnicalFailureError('internal'));
    if (job.deadline <= Date.now()) return Promise.reject(new TechnicalFailureError('overloaded'));
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(job.target) ?? [];
      const w: Waiting = {
        job, resolve, reject,
        expiry: setTimeout(() => this.expire(job.target, w), Math.max(0, job.deadline - Date.now())),
      };
      list.push(w);
      this.waiting.set(job.target, list);
      this.pump(job.target);
    });
  }

  private expire(target: string, w: Waiting): void {
    const list = this.waiting.get(target);
    const i = list?.indexOf(w) ?? -1;
    if (list === undefined || i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.waiting.delete(target);
    w.reject(new TechnicalFailureError('overloaded'));
  }

  process(handler: DispatchHandler, concurrencyOf: (target: string) => number): void {
    this.handler = handler;
    this.concurrencyOf = concurrencyOf;
    for (const target of this.waiting.keys()) this.pump(target);
  }

  async ready(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const list of this.waiting.values()) {
      for (const w of list.splice(0)) {
        clearTimeout(w.expiry);
        w.reject(new TechnicalFailureError('internal'));
      }
    }
    await Promise.allSettled([...this.inFlight]);
  }

  private pump(target: string): void {
    const handler = this.handler;
    if (handler === undefined) return;
    const list = this.waiting.get(target);
    while (list !== undefined && list.length > 0 && (this.running.get(target) ?? 0) < this.concurrencyOf(target)) {
      const next = list.shift();
      if (next === undefined) break;
      clearTimeout(next.expiry);
      const remaining = next.job.deadline - Date.now();
      if (remaining <= 0) {
        next.reject(new TechnicalFailureError('overloaded'));
        continue;
      }
      this.running.set(target, (this.running.get(target) ?? 0) + 1);
      const run = this.run(handler, next, remaining).finally(() => {
        this.inFlight.delete(run);
        this.running.set(target, (this.running.get(target) ?? 1) - 1);
        this.pump(target);
      });
      this.inFlight.add(run);
    }
    if (list !== undefined && list.length === 0) this.waiting.delete(target);
  }

  private async run(handler: DispatchHandler, w: Waiting, remaining: number): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TechnicalFailureError('timeout')), remaining);
    try {
      w.resolve(await handler(w.job, controller.signal));
    } catch (e) {
      w.reject(controller.signal.aborted ? new TechnicalFailureError('timeout', { cause: e }) : e);
    } finally {
      clearTimeout(timer);
    }
  }
}
