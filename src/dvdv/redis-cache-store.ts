import type { Redis } from 'ioredis';
import { MemoryCacheStore, type CacheEntry, type CacheStore } from './directory-cache.js';

/**
 * Directory entries shared by the instances of a deployment through Redis, so N instances ask
 * the DVDV once per TTL instead of N times. Each instance keeps its own copy as well: while
 * Redis is unreachable (or lost the key) the instance goes on with what it knows, and the
 * directory never fails because Redis does. Redis is asked only when the own copy is missing or
 * expired; of two copies the one fetched later wins.
 * A key lives until its entry's expiry plus the staleness bound (then it is useless anyway).
 */
export class RedisCacheStore<T> implements CacheStore<T> {
  private readonly local = new MemoryCacheStore<T>();

  constructor(
    private readonly redis: Redis,
    /** E.g. `xmeld:dvdv:` — one per deployment, like the queue prefix. */
    private readonly prefix: string,
    private readonly keepPastExpiryMs: number,
  ) {}

  async get(key: string): Promise<CacheEntry<T> | undefined> {
    const mine = await this.local.get(key);
    // Within its TTL the own copy is as good as the shared one: no round trip per query.
    if (mine !== undefined && Date.now() < mine.expiresAt) return mine;
    let shared: CacheEntry<T> | undefined;
    try {
      const raw = await this.redis.get(this.prefix + key);
      shared = raw === null ? undefined : readEntry<T>(raw);
    } catch {
      return mine; // Redis down: this instance's own knowledge
    }
    if (shared === undefined || (mine !== undefined && mine.fetchedAt >= shared.fetchedAt)) return mine;
    await this.local.set(key, shared);
    return shared;
  }

  async set(key: string, entry: CacheEntry<T>): Promise<void> {
    await this.local.set(key, entry);
    const ttl = Math.max(1, Math.ceil(entry.expiresAt + this.keepPastExpiryMs - Date.now()));
    await this.redis.set(this.prefix + key, JSON.stringify(entry), 'PX', ttl).catch(() => undefined);
  }
}

/** An entry as stored; anything else (another writer, a damaged value) counts as absent. */
function readEntry<T>(raw: string): CacheEntry<T> | undefined {
  try {
    const e = JSON.parse(raw) as Partial<CacheEntry<T>>;
    if (typeof e.fetchedAt !== 'number' || typeof e.expiresAt !== 'number') return undefined;
    return { value: e.value, fetchedAt: e.fetchedAt, expiresAt: e.expiresAt };
  } catch {
    return undefined;
  }
}
