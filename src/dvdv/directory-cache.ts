import { DvdvError } from './dvdv-errors.js';

/**
 * Cache of directory answers per key. Positive entries live `positiveTtlMs` (default 10 min),
 * "not in the DVDV" lives `negativeTtlMs` (default 5 min). Past its TTL an entry is looked up
 * again; if the directory itself fails then (down, slow, broken), the expired positive entry is
 * served for up to `maxStaleMs` past its expiry, so an outage does not stop queries to known
 * endpoints. In the last `refreshAheadMs` before expiry a hit triggers a background refresh, so
 * busy keys rarely wait. Storage sits behind `CacheStore` so a shared (Redis) store can follow.
 */

export interface CacheEntry<T> {
  /** undefined = negative entry (the DVDV knows no such key). */
  value: T | undefined;
  fetchedAt: number;
  expiresAt: number;
}

export interface CacheStore<T> {
  get(key: string): Promise<CacheEntry<T> | undefined>;
  set(key: string, entry: CacheEntry<T>): Promise<void>;
}

export class MemoryCacheStore<T> implements CacheStore<T> {
  private readonly map = new Map<string, CacheEntry<T>>();
  get(key: string): Promise<CacheEntry<T> | undefined> {
    return Promise.resolve(this.map.get(key));
  }
  set(key: string, entry: CacheEntry<T>): Promise<void> {
    this.map.set(key, entry);
    return Promise.resolve();
  }
}

export interface CacheOptions {
  positiveTtlMs?: number;
  negativeTtlMs?: number;
  maxStaleMs?: number;
  refreshAheadMs?: number;
  now?: () => number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  stale: number;
  negativeHits: number;
  errors: number;
  /** When the directory last answered (ms epoch), undefined if never. */
  lastSuccessAt: number | undefined;
  /** Whether the last look-up reached the directory. */
  reachable: boolean | undefined;
}

export type Loader<T> = () => Promise<T | undefined>;

export interface CachedAnswer<T> {
  value: T | undefined;
  /** fresh: within TTL; loaded: just fetched; stale: expired, served because the DVDV failed. */
  state: 'fresh' | 'loaded' | 'stale';
  ageMs: number;
}

export class DirectoryCache<T> {
  readonly stats: CacheStats = { hits: 0, misses: 0, stale: 0, negativeHits: 0, errors: 0, lastSuccessAt: undefined, reachable: undefined };
  private readonly positiveTtl: number;
  private readonly negativeTtl: number;
  private readonly maxStale: number;
  private readonly refreshAhead: number;
  private readonly now: () => number;
  private readonly inflight = new Map<string, Promise<CacheEntry<T>>>();

  constructor(
    private readonly store: CacheStore<T> = new MemoryCacheStore<T>(),
    opts: CacheOptions = {},
  ) {
    this.positiveTtl = opts.positiveTtlMs ?? 10 * 60_000;
    this.negativeTtl = opts.negativeTtlMs ?? 5 * 60_000;
    this.maxStale = opts.maxStaleMs ?? 60 * 60_000;
    this.refreshAhead = opts.refreshAheadMs ?? 0;
    this.now = opts.now ?? Date.now;
  }

  async get(key: string, load: Loader<T>): Promise<CachedAnswer<T>> {
    const entry = await this.store.get(key);
    const now = this.now();
    if (entry && now < entry.expiresAt) {
      this.stats.hits++;
      if (entry.value === undefined) this.stats.negativeHits++;
      if (entry.value !== undefined && entry.expiresAt - now <= this.refreshAhead) {
        this.refresh(key, load).catch(() => undefined); // failure already counted; entry stays
      }
      return { value: entry.value, state: 'fresh', ageMs: now - entry.fetchedAt };
    }
    this.stats.misses++;
    try {
      const fresh = await this.refresh(key, load);
      return { value: fresh.value, state: 'loaded', ageMs: 0 };
    } catch (e) {
      if (e instanceof DvdvError && entry?.value !== undefined && now - entry.expiresAt <= this.maxStale) {
        this.stats.stale++;
        return { value: entry.value, state: 'stale', ageMs: now - entry.fetchedAt };
      }
      throw e;
    }
  }

  /** Loads into the cache whatever is there (warm-up). */
  async prime(key: string, load: Loader<T>): Promise<void> {
    await this.refresh(key, load);
  }

  private refresh(key: string, load: Loader<T>): Promise<CacheEntry<T>> {
    let p = this.inflight.get(key);
    if (!p) {
      p = this.doRefresh(key, load).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async doRefresh(key: string, load: Loader<T>): Promise<CacheEntry<T>> {
    let value: T | undefined;
    try {
      value = await load();
    } catch (e) {
      this.stats.errors++;
      this.stats.reachable = false;
      throw e;
    }
    const now = this.now();
    this.stats.lastSuccessAt = now;
    this.stats.reachable = true;
    const entry: CacheEntry<T> = { value, fetchedAt: now, expiresAt: now + (value === undefined ? this.negativeTtl : this.positiveTtl) };
    await this.store.set(key, entry);
    return entry;
  }
}
