import { Redis } from 'ioredis';
import type { ReplayGuard } from './replay-guard.js';

/**
 * Replay protection shared by all instances: `SET NX PX` on the nachrichtenUUID (a key that
 * holds `1`, nothing of the message). A Redis outage fails closed: the message is refused as
 * seen rather than let through unchecked.
 */
export class RedisReplayGuard implements ReplayGuard {
  private readonly redis: Redis;

  constructor(url: string, private readonly prefix = 'xmeld') {
    this.redis = new Redis(url, { lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined); // its text may carry the URL; readiness reports outages
  }

  async seen(id: string, expiresAt: Date): Promise<boolean> {
    const ttl = Math.max(1, expiresAt.getTime() - Date.now());
    try {
      const set = await this.redis.set(`${this.prefix}:gw:replay:${id}`, '1', 'PX', ttl, 'NX');
      return set === null;
    } catch {
      return true;
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
