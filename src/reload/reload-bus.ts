/**
 * Reloads across instances: an instance that reloaded publishes on a Redis channel of the
 * deployment's prefix; every other instance reloads its own configuration when it hears it.
 * Pub/sub delivers to the instances connected at that moment; one that is down reads the
 * configuration and the suspensions afresh when it starts.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { closeRedis } from '../queue/redis-connections.js';

interface BusMessage {
  origin: string;
  actor: string;
}

export class RedisReloadBus {
  private readonly origin = randomUUID();
  private readonly channel: string;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;

  constructor(url: string, prefix: string) {
    this.channel = `${prefix}:gw:reload`;
    this.publisher = new Redis(url, { maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(url, { maxRetriesPerRequest: null });
    // Their text may carry the URL; a failed publish is reported by the caller.
    for (const r of [this.publisher, this.subscriber]) r.on('error', () => undefined);
  }

  /** Calls `onReload` with the original actor whenever another instance reloaded; resolves once subscribed. */
  async listen(onReload: (actor: string) => void): Promise<void> {
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      try {
        const m = JSON.parse(text) as BusMessage;
        if (m.origin !== this.origin && typeof m.actor === 'string') onReload(m.actor);
      } catch {
        // not one of ours
      }
    });
    await this.subscriber.subscribe(this.channel);
  }

  async announce(actor: string): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify({ origin: this.origin, actor } satisfies BusMessage));
  }

  async close(): Promise<void> {
    await Promise.allSettled([closeRedis(this.subscriber), closeRedis(this.publisher)]);
  }
}
