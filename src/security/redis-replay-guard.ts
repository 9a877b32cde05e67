import { Redis } from 'ioredis';
import { ReplayGuardUnavailableError, type ReplayGuard } from './replay-guard.js';

/**
 * Longest a replay check may wait for Redis (a healthy one answers in about a millisecond). Short,
 * because the check holds a worker thread (one task per thread) while it waits.
 */
export const REPLAY_CHECK_TIMEOUT_MS = 500;

/**
 * Replay protection shared by all instances: `SET NX PX` on the nachrichtenUUID (a key that
 * holds `1`, nothing of the message). It fails closed, but says so: while Redis is unreachable
 * a message is refused as a passing failure (S999), never as a duplicate.
 *
 * Redis without persistence forgets the window when it restarts. A marker records since when
 * the store remembers (`replay-since`, set when missing); a message created before that moment
 * may have been delivered before the loss and is refused the same way. Redis with `appendonly
 * yes` keeps the window and the marker, and then nothing is refused.
 */
export class RedisReplayGuard implements ReplayGuard {
  private readonly redis: Redis;
  private readonly sinceKey: string;

  constructor(url: string, private readonly prefix = 'xmeld') {
    this.sinceKey = `${prefix}:gw:replay-since`;
    // commandTimeout: a Redis that is connected but does not answer (frozen, swapping) must not
    // hold the intake — and the worker thread it runs on — until it answers again.
    this.redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: REPLAY_CHECK_TIMEOUT_MS });
    this.redis.on('error', () => undefined); // its text may carry the URL; readiness reports outages
    // The store's memory begins when it is first (re)connected empty, not at the first message.
    this.redis.on('ready', () => {
      this.redis.set(this.sinceKey, String(Date.now()), 'NX').catch(() => undefined);
    });
  }

  async seen(id: string, expiresAt: Date, createdAt?: Date): Promise<boolean> {
    const now = Date.now();
    const ttl = Math.max(1, expiresAt.getTime() - now);
    let since: number;
    let set: string | null;
    try {
      // One round trip: the marker (created if missing) and the id.
      const results = await this.redis.multi()
        .set(this.sinceKey, String(now), 'NX')
        .get(this.sinceKey)
        .set(`${this.prefix}:gw:replay:${id}`, '1', 'PX', ttl, 'NX')
        .exec();
      if (results === null || results.some(([err]) => err !== null)) throw new Error('replay store failed');
      since = Number(results[1]?.[1]);
      set = results[2]?.[1] as string | null;
    } catch {
      throw new ReplayGuardUnavailableError('replay store unreachable');
    }
    // A message created before the store's memory began may have been delivered before it.
    if (createdAt !== undefined && createdAt.getTime() < since) {
      throw new ReplayGuardUnavailableError('replay window lost since the message was created');
    }
    return set === null;
  }

  /** Resolves when connected (or after `timeoutMs`, to let /ready report the outage). */
  async whenReady(timeoutMs: number): Promise<boolean> {
    if (this.ready()) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** For /ready: the connection the guard needs is up. */
  ready(): boolean {
    return this.redis.status === 'ready';
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
