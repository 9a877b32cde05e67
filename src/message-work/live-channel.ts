/**
 * How a reload reaches every pool worker: one BroadcastChannel per pool. The main thread sends
 * the new material and waits until each thread confirms it switched; a worker that starts
 * later (piscina replaces a dead one) asks for the current material before it takes a task.
 */
import { BroadcastChannel, threadId } from 'node:worker_threads';
import type { LiveMaterial } from '../reload/live-material.js';

type LiveMessage =
  | { type: 'hello'; thread: number }
  | { type: 'apply'; generation: number; material?: LiveMaterial }
  | { type: 'applied'; generation: number; thread: number }
  | { type: 'failed'; generation: number; thread: number; reason: string };

/** Thrown when a thread did not switch: the reload is then undone on every thread. */
export class ThreadReloadError extends Error {
  override readonly name = 'ThreadReloadError';
}

const CONFIRM_MS = 10_000;

/** The main thread's side. */
export class LiveChannelMain {
  private readonly channel: BroadcastChannel;
  private generation = 0;
  private waiter: ((m: LiveMessage) => void) | undefined;

  constructor(readonly name: string, private material: LiveMaterial | undefined, private readonly threads: number) {
    this.channel = new BroadcastChannel(name);
    this.channel.unref();
    this.channel.onmessage = (event) => {
      const m = (event as { data: LiveMessage }).data;
      if (m.type === 'hello') this.post({ type: 'apply', generation: this.generation, ...(this.material ? { material: this.material } : {}) });
      else this.waiter?.(m);
    };
  }

  /** Resolves when every thread runs on `material`; rejects (ThreadReloadError) when one did not switch. */
  async apply(material: LiveMaterial): Promise<void> {
    const generation = ++this.generation;
    const previous = this.material;
    this.material = material;
    try {
      await this.confirmed(generation, () => this.post({ type: 'apply', generation, material }));
    } catch (e) {
      this.material = previous;
      const back = ++this.generation;
      // Best effort: threads that switched go back; one that could not switch still runs the old.
      await this.confirmed(back, () => this.post({ type: 'apply', generation: back, ...(previous ? { material: previous } : {}) })).catch(() => undefined);
      throw e;
    }
  }

  close(): void {
    this.channel.close();
  }

  private post(m: LiveMessage): void {
    this.channel.postMessage(m);
  }

  private confirmed(generation: number, send: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = new Set<number>();
      const timer = setTimeout(() => finish(new ThreadReloadError(`${this.threads - done.size} worker thread(s) did not confirm the reload`)), CONFIRM_MS);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.waiter = undefined;
        if (error) reject(error);
        else resolve();
      };
      this.waiter = (m) => {
        if (m.type === 'hello' || m.generation !== generation) return;
        if (m.type === 'failed') return finish(new ThreadReloadError(`worker thread ${m.thread}: ${m.reason}`));
        if (m.type === 'applied') done.add(m.thread);
        if (done.size >= this.threads) finish();
      };
      send();
    });
  }
}

const joined: BroadcastChannel[] = [];

/**
 * A worker's side: applies each new generation through `apply` (which throws when it cannot)
 * and confirms it. Resolves once the current generation is known, so no task runs on material
 * older than the last reload.
 */
export function joinLiveChannel(name: string, apply: (material: LiveMaterial) => void): Promise<void> {
  const channel = new BroadcastChannel(name);
  channel.unref();
  joined.push(channel); // an unreferenced channel is collected and stops hearing reloads
  let current = -1;
  return new Promise<void>((resolve) => {
    const fallback = setTimeout(resolve, CONFIRM_MS); // a main thread that never answers must not block the pool
    channel.onmessage = (event) => {
      const m = (event as { data: LiveMessage }).data;
      if (m.type !== 'apply') return;
      if (m.generation !== current) {
        try {
          if (m.material !== undefined) apply(m.material);
          current = m.generation;
        } catch (e) {
          channel.postMessage({ type: 'failed', generation: m.generation, thread: threadId, reason: e instanceof Error ? e.message : String(e) } satisfies LiveMessage);
          return;
        }
      }
      channel.postMessage({ type: 'applied', generation: m.generation, thread: threadId } satisfies LiveMessage);
      clearTimeout(fallback);
      resolve();
    };
    channel.postMessage({ type: 'hello', thread: threadId } satisfies LiveMessage);
  });
}
