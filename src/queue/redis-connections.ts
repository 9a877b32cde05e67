import { Redis, type RedisOptions } from 'ioredis';

/**
 * The three kinds of Redis connection one gateway instance needs, each set up for its role:
 *
 * - `commands`: producers (`Queue.add`), reply publishing, markers, health. Fails fast while
 *   Redis is down (no offline queue, one try per command) so nothing waits past a deadline on
 *   a dead socket; the dispatch then ends with a technical failure.
 * - `workers`: shared by the BullMQ workers (each adds its own blocking duplicate). BullMQ
 *   requires `maxRetriesPerRequest: null` here: its commands are retried until Redis is back.
 * - `subscriber`: pub/sub only (reply channel, target announcements); ioredis re-subscribes
 *   after a reconnect by itself.
 *
 * All reconnect on their own with a capped backoff; none of them logs anything.
 */
export interface RedisConnections {
  commands: Redis;
  workers: Redis;
  subscriber: Redis;
}

export function openRedisConnections(url: string, name: string): RedisConnections {
  const base: RedisOptions = {
    // Capped reconnect backoff: quick after a Redis restart, gentle during a long outage.
    retryStrategy: (times) => Math.min(100 * times, 2_000),
    lazyConnect: false,
  };
  const commands = new Redis(url, { ...base, connectionName: `${name}:cmd`, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const workers = new Redis(url, { ...base, connectionName: `${name}:wrk`, maxRetriesPerRequest: null });
  const subscriber = new Redis(url, { ...base, connectionName: `${name}:sub`, maxRetriesPerRequest: null });
  // Errors surface through failed commands and ready(); an 'error' listener keeps ioredis from
  // printing them (their text can include the URL and so the password).
  for (const c of [commands, workers, subscriber]) {
    c.on('error', () => undefined);
    // Every BullMQ Queue/Worker on a shared connection adds its own listeners (one per target).
    c.setMaxListeners(0);
  }
  return { commands, workers, subscriber };
}

/**
 * QUIT where the connection is up (lets pending replies arrive), a plain disconnect where it is
 * not: a QUIT queued on a dead connection would wait for Redis to come back.
 */
export async function closeRedisConnections(c: RedisConnections): Promise<void> {
  await Promise.allSettled([c.commands, c.workers, c.subscriber].map(closeRedis));
}

/** One connection closed the same way. */
export async function closeRedis(r: Redis): Promise<void> {
  if (r.status !== 'ready') return r.disconnect();
  const quit = r.quit().catch(() => undefined);
  const timer = setTimeout(() => r.disconnect(), 2_000);
  await quit;
  clearTimeout(timer);
}

/**
 * Resolves once the connection is usable (at once when it is); used only at start-up. With
 * `withinMs`, rejects when that time passes first, so no waiter outlives its deadline.
 */
export function whenReady(redis: Redis, withinMs?: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = withinMs === undefined ? undefined : setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error('redis not ready'));
    }, Math.max(0, withinMs));
    redis.once('ready', onReady);
  });
}
