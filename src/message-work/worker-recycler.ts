import type { Piscina } from 'piscina';

/** The shape piscina hands its load balancer (not exported by name from piscina's entry). */
interface PoolWorker {
  readonly id: number;
  readonly currentUsage: number;
}

/** What a worker reports after each task (message-worker.ts): its isolate's heap plus WASM memory. */
export interface WorkerMemoryReport {
  xmeldWorkerMemory: { thread: number; mb: number };
}

export function isWorkerMemoryReport(m: unknown): m is WorkerMemoryReport {
  return typeof m === 'object' && m !== null && 'xmeldWorkerMemory' in m;
}

export interface RecyclerOptions {
  /** A worker past this (heap + WASM memory, MiB) gets no new task and is replaced once idle. */
  aboveMb: number;
  /** After this long without a task, workers past half the limit are replaced too (memory back to the system). */
  idleMs: number;
  onRecycled?: (thread: number, mb: number, why: 'limit' | 'idle') => void;
}

/**
 * Replaces pool workers whose memory grew — between tasks, never during one. libxml2's WASM
 * memory only ever grows (one large message keeps its high-water mark for the worker's life), so
 * a new thread is the only way to give it back. The worker is taken out of the balancer first,
 * terminated when idle; piscina starts its replacement, which fetches the current live material.
 */
export class WorkerRecycler {
  private readonly retiring = new Map<number, { mb: number; why: 'limit' | 'idle' }>();
  private readonly lastMb = new Map<number, number>();
  /** Terminated, but piscina may still list them until they have exited: never given a task. */
  private readonly gone = new Set<number>();
  private known: readonly PoolWorker[] = [];
  private lastTaskAt = Date.now();
  private readonly idleTimer: NodeJS.Timeout;
  private pool: Piscina | undefined;

  constructor(private readonly opts: RecyclerOptions) {
    this.idleTimer = setInterval(() => this.trimIdle(), Math.max(1_000, Math.floor(opts.idleMs / 2)));
    this.idleTimer.unref();
  }

  attach(pool: Piscina): void {
    this.pool = pool;
    pool.on('message', (m: unknown) => { if (isWorkerMemoryReport(m)) this.reported(m.xmeldWorkerMemory.thread, m.xmeldWorkerMemory.mb); });
  }

  /** piscina's load balancer: an idle worker that is not being retired (one task per worker). */
  readonly balance = <W extends PoolWorker>(_task: unknown, workers: W[]): W | null => {
    this.known = workers;
    this.lastTaskAt = Date.now();
    for (const w of workers) if (w.currentUsage === 0 && !this.retiring.has(w.id) && !this.gone.has(w.id)) return w;
    return null;
  };

  /** Called when a task settled: retiring workers that are idle now are terminated. */
  sweep(): void {
    const pool = this.pool;
    if (pool === undefined) return;
    for (const [id, why] of this.retiring) {
      const w = this.known.find((x) => x.id === id);
      if (w !== undefined && w.currentUsage > 0) continue;
      this.retiring.delete(id);
      this.lastMb.delete(id);
      this.gone.add(id);
      const thread = pool.threads.find((t) => t.threadId === id);
      if (thread === undefined) continue;
      void thread.terminate();
      this.opts.onRecycled?.(id, why.mb, why.why);
    }
  }

  close(): void {
    clearInterval(this.idleTimer);
  }

  private reported(thread: number, mb: number): void {
    this.lastMb.set(thread, mb);
    if (this.gone.has(thread)) return;
    if (this.opts.aboveMb > 0 && mb > this.opts.aboveMb && !this.retiring.has(thread)) this.retiring.set(thread, { mb, why: 'limit' });
    this.sweep();
  }

  private trimIdle(): void {
    if (this.opts.aboveMb <= 0 || Date.now() - this.lastTaskAt < this.opts.idleMs) return;
    for (const [thread, mb] of this.lastMb) {
      if (mb > this.opts.aboveMb / 2 && !this.retiring.has(thread)) this.retiring.set(thread, { mb, why: 'idle' });
    }
    this.sweep();
  }
}
