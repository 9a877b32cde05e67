import type { Redis } from 'ioredis';
import type { PayloadSealer } from '../queue/payload-sealer.js';
import { MemoryCacheStore, type CacheEntry, type CacheStore } from './directory-cache.js';

/**
 * Directory entries shared by the instances of a deployment through Redis, so N instances ask
 * the DVDV once per TTL instead of N times. Each instance keeps its own copy as well: while
 * Redis is unreachable (or lost the key) the instance goes on with what it knows, and the
 * directory never fails because Redis does. Redis is asked only when the own copy is missing or
 * expired; of two copies the one fetched later wins.
 * A key lives until its entry's expiry plus the staleness bound (then it is useless anyway).
 *
 * Entries are sealed with the deployment's queue key (AES-GCM, bound to the cache key): an
 * entry decides where queries go and whose signature is trusted, so one planted or altered in
 * Redis by anyone without the key is ignored, as for queued queries. Keys are named after the
 * key's fingerprint, so instances with different keys do not read each other's entries.
 */
export class RedisCacheStore<T> implements CacheStore<T> {
  private readonly local = new MemoryCacheStore<T>();

  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    /** E.g. `xmeld:dvdv:` — one per deployment, like the queue prefix. */
    prefix: string,
    private readonly keepPastExpiryMs: number,
    private readonly sealer: PayloadSealer,
  ) {
    this.prefix = `${prefix}${sealer.keyId}:`;
  }

  async get(key: string): Promise<CacheEntry<T> | undefined> {
    const mine = await this.local.get(key);
    // Within its TTL the own copy is as good as the shared one: no round trip per query.
    if (mine !== undefined && Date.now() < mine.expiresAt) return mine;
    let shared: CacheEntry<T> | undefined;
    try {
      const raw = await this.redis.getBuffer(this.prefix + key);
      shared = raw === null ? undefined : this.readEntry(raw, key);
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
    const sealed = this.sealer.seal(Buffer.from(JSON.stringify(entry)), key);
    await this.redis.set(this.prefix + key, sealed, 'PX', ttl).catch(() => undefined);
  }

  /** An entry as stored; anything else (another key, an altered or damaged value) counts as absent. */
  private readEntry(raw: Buffer, key: string): CacheEntry<T> | undefined {
    let e: Partial<CacheEntry<T>>;
    try {
      e = JSON.parse(this.sealer.open(raw, key).toString('utf8')) as Partial<CacheEntry<T>>;
    } catch {
      return undefined;
    }
    if (typeof e.fetchedAt !== 'number' || typeof e.expiresAt !== 'number') return undefined;
    return { value: e.value, fetchedAt: e.fetchedAt, expiresAt: e.expiresAt };
  }
}
