import { describe, expect, it } from 'vitest';
import { DirectoryCache } from '../../src/dvdv/directory-cache.js';
import { DvdvError } from '../../src/dvdv/dvdv-errors.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}
const MIN = 60_000;

describe('directory cache', () => {
  it('keeps a positive answer for its TTL and then looks it up again', async () => {
    const c = clock();
    const cache = new DirectoryCache<string>(undefined, { now: c.now });
    let calls = 0;
    const load = (): Promise<string> => Promise.resolve(`v${++calls}`);
    expect((await cache.get('k', load)).value).toBe('v1');
    c.advance(9 * MIN);
    expect(await cache.get('k', load)).toMatchObject({ value: 'v1', state: 'fresh' });
    c.advance(2 * MIN);
    expect(await cache.get('k', load)).toMatchObject({ value: 'v2', state: 'loaded' });
    expect(cache.stats).toMatchObject({ hits: 1, misses: 2 });
  });

  it('keeps "not in the DVDV" for the negative TTL (5 min)', async () => {
    const c = clock();
    const cache = new DirectoryCache<string>(undefined, { now: c.now });
    let calls = 0;
    const load = (): Promise<string | undefined> => Promise.resolve(++calls > 1 ? 'now there' : undefined);
    expect((await cache.get('k', load)).value).toBeUndefined();
    c.advance(4 * MIN);
    expect((await cache.get('k', load)).value).toBeUndefined();
    c.advance(2 * MIN);
    expect((await cache.get('k', load)).value).toBe('now there');
    expect(cache.stats.negativeHits).toBe(1);
  });

  it('serves an expired entry while the DVDV fails, only within the staleness bound', async () => {
    const c = clock();
    const cache = new DirectoryCache<string>(undefined, { now: c.now, maxStaleMs: 30 * MIN });
    await cache.get('k', () => Promise.resolve('known'));
    const down = (): Promise<string> => Promise.reject(new DvdvError('unreachable', 'down'));
    c.advance(10 * MIN + 25 * MIN);
    expect(await cache.get('k', down)).toMatchObject({ value: 'known', state: 'stale', ageMs: 35 * MIN });
    await expect(cache.get('other', down)).rejects.toMatchObject({ failure: 'unreachable' });
    c.advance(10 * MIN);
    await expect(cache.get('k', down)).rejects.toBeInstanceOf(DvdvError);
    expect(cache.stats).toMatchObject({ stale: 1, reachable: false });
  });

  it('concurrent misses of one key share one look-up', async () => {
    const cache = new DirectoryCache<string>();
    let calls = 0;
    const load = async (): Promise<string> => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return 'x';
    };
    const all = await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]);
    expect(all.map((a) => a.value)).toEqual(['x', 'x', 'x']);
    expect(calls).toBe(1);
  });

  it('refreshes ahead of expiry in the background', async () => {
    const c = clock();
    const cache = new DirectoryCache<string>(undefined, { now: c.now, refreshAheadMs: MIN });
    let calls = 0;
    const load = (): Promise<string> => Promise.resolve(`v${++calls}`);
    await cache.get('k', load);
    c.advance(9.5 * MIN);
    expect((await cache.get('k', load)).value).toBe('v1');
    await new Promise((r) => setTimeout(r, 10));
    c.advance(MIN); // past the first entry's expiry, within the refreshed one's
    expect(await cache.get('k', load)).toMatchObject({ value: 'v2', state: 'fresh' });
  });
});
