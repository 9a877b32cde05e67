import type { Redis } from 'ioredis';
import { TechnicalFailureError } from '../errors.js';
import type { RegisterReply } from '../answer/register-reply.js';
import type { PayloadSealer } from './payload-sealer.js';
import { decodeOutcome, frameJobId } from './wire-format.js';

interface Pending {
  resolve: (reply: RegisterReply) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * The receiving end of one instance's reply channel. A dispatch registers its job id here
 * before the job is added; the first frame for that id settles it, later ones are dropped
 * (so a reply is accepted once, whatever a retried or recovered job does). Every waiter has a
 * timer at the job's deadline, so none waits forever — not even when Redis is gone.
 *
 * Pub/sub stores nothing: a frame published while nobody listens is lost, never kept.
 */
export class ReplyInbox {
  private readonly pending = new Map<string, Pending>();
  private readonly onMessage = (channel: Buffer, frame: Buffer): void => {
    if (channel.toString('utf8') === this.channel) this.accept(frame);
  };
  private subscribed: Promise<unknown> | undefined;

  constructor(
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly sealer: PayloadSealer,
  ) {}

  /** Subscribes once; dispatches await it so no reply can be published before we listen. */
  start(): Promise<unknown> {
    if (this.subscribed === undefined) {
      this.subscriber.on('messageBuffer', this.onMessage);
      this.subscribed = this.subscriber.subscribe(this.channel);
    }
    return this.subscribed;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Waits for the frame of `jobId`, rejecting with 'timeout' at `deadline`. */
  expect(jobId: string, deadline: number): Promise<RegisterReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.settle(jobId, new TechnicalFailureError('timeout')), Math.max(0, deadline - Date.now()));
      this.pending.set(jobId, { resolve, reject, timer });
    });
  }

  isWaiting(jobId: string): boolean {
    return this.pending.has(jobId);
  }

  /** Ends a wait from outside (the job could not be queued, or the queue is closing). */
  settle(jobId: string, result: RegisterReply | Error): void {
    const p = this.pending.get(jobId);
    if (p === undefined) return;
    this.pending.delete(jobId);
    clearTimeout(p.timer);
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
  }

  /** Resolves when no dispatch of this instance waits any more (bounded by their deadlines). */
  async drained(): Promise<void> {
    while (this.pending.size > 0) await new Promise((r) => setTimeout(r, 20));
  }

  async stop(): Promise<void> {
    for (const id of [...this.pending.keys()]) this.settle(id, new TechnicalFailureError('internal'));
    this.subscriber.off('messageBuffer', this.onMessage);
    // Only on a live connection: a queued UNSUBSCRIBE would wait for Redis to come back.
    if (this.subscribed !== undefined && this.subscriber.status === 'ready') {
      await this.subscriber.unsubscribe(this.channel).catch(() => undefined);
    }
  }

  private accept(frame: Buffer): void {
    const jobId = frameJobId(frame);
    if (jobId === undefined || !this.pending.has(jobId)) return;
    let decoded: ReturnType<typeof decodeOutcome>;
    try {
      decoded = decodeOutcome(this.sealer, frame);
    } catch {
      // Not sealed for this job with our key: never trust it; the deadline still ends the wait.
      return;
    }
    const { outcome } = decoded;
    this.settle(jobId, 'reply' in outcome ? outcome.reply : new TechnicalFailureError(outcome.failure));
  }
}
