import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointConfig } from '../../src/config/gateway-config.js';
import { DirectoryCache, MemoryCacheStore } from '../../src/dvdv/directory-cache.js';
import { DirectoryEndpoints } from '../../src/dvdv/directory-endpoints.js';
import type { DirectoryTarget } from '../../src/dvdv/dvdv-types.js';
import { DvdvClient } from '../../src/dvdv/dvdv-client.js';
import { DvdvError } from '../../src/dvdv/dvdv-errors.js';
import { serviceUriFor } from '../../src/dvdv/service-target.js';
import type { TestPki } from '../../src/security/test-pki.js';
import { startSimulatedDvdv, type SimulatedDvdv } from '../../src/simulator/dvdv.js';
import { LAND_CODES, type LandCode } from '../../src/simulator/lands.js';
import { loadTestPki } from '../support/test-pki.js';

let pki: TestPki;
let dvdv: SimulatedDvdv;
const staticEp = (url: string): EndpointConfig => ({ url, soapVersion: '1.1', concurrency: 4, freieSuche: { nurEinzelgemeinden: false, weiterFuerSicherheitsbehoerden: false }, gemeinden: [] });

beforeAll(async () => {
  pki = await loadTestPki();
  dvdv = await startSimulatedDvdv({
    entries: Object.fromEntries(LAND_CODES.filter((l) => l !== '13').map((l) => [l, { endpoint: `https://r${l}.example/xmeld`, certPem: pki.identities[`land-${l}`].certPem }])),
  });
});
afterAll(() => dvdv.close());

describe('directory endpoints (DVDV with static override and fallback)', () => {
  it('after warm-up every Land listed in the DVDV resolves from it; override and fallback come from config; stale within the bound while the DVDV is down', async () => {
    let t = Date.now();
    const d = new DirectoryEndpoints({
      client: new DvdvClient({ servers: [dvdv.url], entryPath: 'intern/directory' }),
      serviceUri: serviceUriFor('personensuche', '26.11'),
      staticEndpoints: { '05': staticEp('https://static05.example/'), '13': staticEp('https://static13.example/'), '02': staticEp('https://static02.example/') },
      overrides: ['02'],
      positiveTtlMs: 1000,
      maxStaleMs: 5000,
      now: () => t,
    });
    await d.warmUp(LAND_CODES);
    const at = (land: LandCode) => d.lookup(land, Date.now() + 2000);
    const calls = dvdv.calls.length;
    expect(await at('09')).toMatchObject({ source: 'dvdv', endpoint: { url: 'https://r09.example/xmeld' } });
    expect((await at('09'))?.signatureCertificates).toEqual([new X509Certificate(pki.identities['land-09'].certPem).raw.toString('base64')]);
    expect(await at('05')).toMatchObject({ source: 'dvdv', endpoint: { url: 'https://r05.example/xmeld', concurrency: 4 } });
    expect(await at('02')).toMatchObject({ source: 'config', endpoint: { url: 'https://static02.example/' } });
    expect(await at('13')).toMatchObject({ source: 'config', endpoint: { url: 'https://static13.example/' } });
    expect(dvdv.calls.length).toBe(calls); // all from the warm-up's entries

    dvdv.setFault('down');
    try {
      t += 3000; // expired, within the staleness bound: looked up again, then served stale
      expect(await at('09')).toMatchObject({ source: 'dvdv' });
      expect(dvdv.calls.length).toBeGreaterThan(calls);
      expect(d.cache.stats.stale).toBeGreaterThan(0);
      t += 5000; // beyond the bound: the DVDV entry is no longer used
      await expect(at('09')).rejects.toBeInstanceOf(DvdvError);
      expect(await at('05')).toMatchObject({ source: 'config' });
      expect(d.cache.stats.reachable).toBe(false);
    } finally {
      dvdv.setFault('none');
    }
    t += 1000;
    expect(await at('09')).toMatchObject({ source: 'dvdv' }); // back as soon as the DVDV answers
  });

  it('a query naming a municipality is routed by its own key (ags:<AGS>), otherwise by the Land key', async () => {
    const keys: string[] = [];
    const store = new MemoryCacheStore<DirectoryTarget>();
    const d = new DirectoryEndpoints({
      client: new DvdvClient({ servers: [dvdv.url], entryPath: 'intern/directory' }),
      serviceUri: serviceUriFor('personensuche', '26.11'),
      staticEndpoints: {},
      freieSucheServiceUri: serviceUriFor('freieSuche', '26.11'),
      organizationKeyOf: (land) => (land === '09' ? 'ags:09162000' : `ags:${land}000000`),
      cache: new DirectoryCache<DirectoryTarget>({ get: (k) => { keys.push(k); return store.get(k); }, set: (k, e) => store.set(k, e) }),
    });
    const soon = Date.now() + 2000;
    expect(await d.lookup('09', soon, { ags: '09780139' })).toMatchObject({ source: 'dvdv', endpoint: { url: 'https://r09.example/xmeld' } });
    await d.lookup('09', soon);
    await d.lookup('05', soon, { ags: '09780139' }); // not a municipality of Land 05: the Land key
    await d.lookup('05', soon, { ags: 'x', service: 'freieSuche' });
    const uri = serviceUriFor('personensuche', '26.11');
    const free = serviceUriFor('freieSuche', '26.11');
    expect(keys).toEqual([`ags:09780139 ${uri}`, `ags:09162000 ${uri}`, `ags:05000000 ${uri}`, `ags:05000000 ${free}`]);
  });
});
