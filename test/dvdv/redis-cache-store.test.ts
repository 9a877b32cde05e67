import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryCache } from '../../src/dvdv/directory-cache.js';
import { DirectoryEndpoints } from '../../src/dvdv/directory-endpoints.js';
import { DvdvClient } from '../../src/dvdv/dvdv-client.js';
import type { DirectoryTarget } from '../../src/dvdv/dvdv-types.js';
import { RedisCacheStore } from '../../src/dvdv/redis-cache-store.js';
import { PayloadSealer } from '../../src/queue/payload-sealer.js';
import { serviceUriFor } from '../../src/dvdv/service-target.js';
import { startSimulatedDvdv, type SimulatedDvdv } from '../../src/simulator/dvdv.js';
import { LAND_CODES } from '../../src/simulator/lands.js';
import { REDIS_URL } from '../queue/support.js';
import { loadTestPki } from '../support/test-pki.js';

let dvdv: SimulatedDvdv;
const connections: Redis[] = [];
const prefix = `test-dvdv-${randomUUID()}:`;
const KEY = randomBytes(32).toString('hex');

beforeAll(async () => {
  const pki = await loadTestPki();
  dvdv = await startSimulatedDvdv({
    entries: Object.fromEntries(LAND_CODES.map((l) => [l, { endpoint: `https://r${l}.example/xmeld`, certPem: pki.identities[`land-${l}`].certPem }])),
  });
});
afterAll(async () => {
  const r = new Redis(REDIS_URL);
  const keys = await r.keys(`${prefix}*`);
  if (keys.length > 0) await r.del(...keys);
  r.disconnect();
  for (const c of connections) c.disconnect();
  await dvdv.close();
});

function instance(url: string, key = KEY): DirectoryEndpoints {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 2_000 });
  redis.on('error', () => undefined);
  connections.push(redis);
  return new DirectoryEndpoints({
    client: new DvdvClient({ servers: [dvdv.url], entryPath: 'intern/directory' }),
    serviceUri: serviceUriFor('personensuche', '25.11a'),
    staticEndpoints: {},
    cache: new DirectoryCache<DirectoryTarget>(new RedisCacheStore(redis, prefix, 60_000, new PayloadSealer(key))),
  });
}

/** Commands fail fast until a connection is up (no offline queue). */
const connected = (): Promise<unknown> => Promise.all(connections.map((c) =>
  c.status === 'ready' ? undefined : new Promise((r) => c.once('ready', r))));

describe('directory entries shared through Redis', () => {
  it('what one instance looked up, another finds without asking the DVDV', async () => {
    const a = instance(REDIS_URL);
    const b = instance(REDIS_URL);
    await connected();
    await a.warmUp(LAND_CODES);
    const calls = dvdv.calls.length;
    expect(await b.lookup('09', Date.now() + 2000)).toMatchObject({ source: 'dvdv', endpoint: { url: 'https://r09.example/xmeld' } });
    expect(await b.lookup('14', Date.now() + 2000)).toMatchObject({ source: 'dvdv', endpoint: { url: 'https://r14.example/xmeld' } });
    expect(dvdv.calls.length).toBe(calls);
    expect(b.cache.stats.hits).toBe(2);
    expect(b.cache.stats.misses).toBe(0);
  });

  it('entries sealed with another key, or altered in Redis, are not used (an entry decides where queries go)', async () => {
    const other = instance(REDIS_URL, randomBytes(32).toString('hex'));
    await connected();
    const calls = dvdv.calls.length;
    expect(await other.lookup('09', Date.now() + 2000)).toMatchObject({ source: 'dvdv' });
    expect(dvdv.calls.length).toBe(calls + 1); // asked the DVDV itself
    expect(other.cache.stats.misses).toBe(1);

    // Planted: every stored entry of the first key overwritten with a plain entry for another endpoint.
    const r = new Redis(REDIS_URL);
    const keys = (await r.keys(`${prefix}*`)).filter((k) => k.includes(':ags:10000000 '));
    expect(keys.length).toBeGreaterThan(0);
    const planted = { value: { organizationKey: 'ags:10000000', endpoint: 'https://attacker.example/', signatureCertificates: [] }, fetchedAt: Date.now(), expiresAt: Date.now() + 60_000 };
    for (const k of keys) await r.set(k, JSON.stringify(planted));
    r.disconnect();
    const fresh = instance(REDIS_URL);
    await connected();
    expect(await fresh.lookup('10', Date.now() + 2000)).toMatchObject({ endpoint: { url: 'https://r10.example/xmeld' } });
  });

  it('without Redis each instance goes on with its own entries (the directory does not fail because Redis does)', async () => {
    const lonely = instance('redis://127.0.0.1:1');
    expect(await lonely.lookup('05', Date.now() + 2000)).toMatchObject({ source: 'dvdv', endpoint: { url: 'https://r05.example/xmeld' } });
    const calls = dvdv.calls.length;
    expect(await lonely.lookup('05', Date.now() + 2000)).toMatchObject({ source: 'dvdv' });
    expect(dvdv.calls.length).toBe(calls);
  });
});
