import type { Redis } from 'ioredis';
import type { GatewayKeys } from './gateway-keys.js';

/**
 * The worker's side of the reply path, and the "already answered" marker that keeps a retried
 * or stall-recovered job from sending its query to a register a second time.
 */
export class ReplyPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly keys: GatewayKeys,
  ) {}

  async wasAnswered(jobId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.answeredKey(jobId))) === 1;
  }

  /**
   * Marks the job answered and publishes the reply frame in one MULTI, so there is no moment
   * where a reply went out unmarked (a recovered job would send again) or the job is marked
   * without its reply having been published. The marker holds '1' — no content — and expires
   * `ttlMs` later. Returns how many subscribers received the frame (0: the caller is gone).
   */
  async deliverReply(replyTo: string, jobId: string, frame: Buffer, ttlMs: number): Promise<number> {
    const result = await this.redis.multi()
      .set(this.keys.answeredKey(jobId), '1', 'PX', Math.max(1, Math.ceil(ttlMs)))
      .publish(this.keys.replyChannel(replyTo), frame)
      .exec();
    const published = result?.[1];
    if (published === undefined || published[0] !== null) throw new Error('reply not published');
    return Number(published[1]);
  }

  /** A final failure: nothing to mark, the register did not answer. */
  async deliverFailure(replyTo: string, frame: Buffer): Promise<number> {
    return this.redis.publish(this.keys.replyChannel(replyTo), frame);
  }
}
