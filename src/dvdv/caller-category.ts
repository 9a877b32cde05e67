import { DirectoryCache, type CacheStore } from './directory-cache.js';
import type { DvdvClient } from './dvdv-client.js';

/**
 * Whether a caller's certificate (by its DVDV fingerprint, SHA-1 hex) is in the required DVDV
 * category — how receivers authorise callers with `verifyCategory`. Answers are cached like
 * directory entries: "in the category" for the positive TTL, "not in it" for the negative one;
 * while the DVDV is down an expired "in the category" is believed within the staleness bound.
 */
export class CallerCategory {
  /** `true` = in the category; a negative entry = not in it. */
  readonly cache: DirectoryCache<true>;
  private readonly lookupTimeoutMs: number;

  constructor(
    private readonly client: DvdvClient,
    readonly category: string,
    opts: { positiveTtlMs: number; negativeTtlMs: number; maxStaleMs: number; lookupTimeoutMs: number },
    store?: CacheStore<true>,
  ) {
    this.cache = new DirectoryCache<true>(store, opts);
    this.lookupTimeoutMs = opts.lookupTimeoutMs;
  }

  /** Throws DvdvError when the DVDV cannot say and nothing usable is cached. */
  async admits(fingerprint: string, deadline: number): Promise<boolean> {
    const until = Math.min(deadline, Date.now() + this.lookupTimeoutMs);
    const answer = await this.cache.get(`category:${this.category}:${fingerprint}`, async () =>
      (await this.client.verifyCategory(fingerprint, this.category, until)) ? true : undefined);
    return answer.value === true;
  }
}
