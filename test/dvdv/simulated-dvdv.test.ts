import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dvdvFingerprint } from '../../src/security/cert-fingerprint.js';
import { DirectoryCache } from '../../src/dvdv/directory-cache.js';
import { DvdvClient } from '../../src/dvdv/dvdv-client.js';
import type { DirectoryTarget } from '../../src/dvdv/dvdv-types.js';
import { serviceUriFor, targetFromService } from '../../src/dvdv/service-target.js';
import { startSimulatedDvdv, type SimulatedDvdv } from '../../src/simulator/dvdv.js';
import { LAND_CODES, type LandCode } from '../../src/simulator/lands.js';
import type { TestPki } from '../../src/security/test-pki.js';
import { loadTestPki } from '../support/test-pki.js';

const URI = serviceUriFor('personensuche', '26.11');
const b64 = (pem: string): string => new X509Certificate(pem).raw.toString('base64');
let pki: TestPki;
let a: SimulatedDvdv;
let b: SimulatedDvdv;

const entries = (): Record<LandCode, { endpoint: string; certPem: string }> =>
  Object.fromEntries(LAND_CODES.map((l) => [l, { endpoint: `https://register-${l}.example/xmeld`, certPem: pki.identities[`land-${l}`].certPem }])) as Record<LandCode, { endpoint: string; certPem: string }>;

beforeAll(async () => {
  pki = await loadTestPki();
  const common = { entries: entries(), wrongCertPem: pki.identities.untrusted.certPem, slowDelayMs: 2000, categories: { 'Meldebehörde (XMeld)': [pki.identities['authority-police'].certPem] } };
  a = await startSimulatedDvdv(common);
  b = await startSimulatedDvdv(common);
});
afterAll(async () => {
  await a.close();
  await b.close();
});
const soon = (ms = 5000): number => Date.now() + ms;

function resolver(client: DvdvClient, cache = new DirectoryCache<DirectoryTarget>()) {
  return async (ags: string) =>
    (await cache.get(`ags:${ags}`, async () => {
      const s = await client.findServiceDescription(`ags:${ags}`, URI, soon());
      return s ? targetFromService(`ags:${ags}`, s) : undefined;
    }));
}

describe('simulated DVDV', () => {
  it('resolves a municipality of every Land to that Land register, with its signer certificate', async () => {
    const resolve = resolver(new DvdvClient({ servers: [a.url], entryPath: 'intern/directory' }));
    for (const land of LAND_CODES) {
      const t = (await resolve(`${land}162000`)).value;
      expect(t?.endpoint).toBe(`https://register-${land}.example/xmeld`);
      expect(t?.signatureCertificates).toEqual([b64(pki.identities[`land-${land}`].certPem)]);
    }
  });

  it('an unknown key is a 404 problem 5005, read as "none"', async () => {
    const c = new DvdvClient({ servers: [a.url], entryPath: 'intern/directory' });
    expect(await c.findServiceDescription('ags:99000000', URI, soon())).toBeUndefined();
    const res = await fetch(`${a.url}/intern/directory/v2/findservicedescription?request_json=${encodeURIComponent(JSON.stringify({ organizationKey: 'ags:99000000', serviceSpecificationUri: URI }))}`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/^5005: /);
  });

  it('wrong-certificate publishes a certificate the register does not sign with', async () => {
    const c = new DvdvClient({ servers: [a.url], entryPath: 'intern/directory' });
    a.setFault('wrong-certificate');
    try {
      const t = targetFromService('ags:09162000', (await c.findServiceDescription('ags:09162000', URI, soon()))!);
      expect(t?.signatureCertificates).toEqual([b64(pki.identities.untrusted.certPem)]);
    } finally {
      a.setFault('none');
    }
  });

  it('down: the client fails over to the second server and stays there', async () => {
    const c = new DvdvClient({ servers: [a.url, b.url], entryPath: 'intern/directory' });
    a.setFault('down');
    const before = b.calls.length;
    try {
      expect(await c.findServiceDescription('ags:05315000', URI, soon())).toBeDefined();
      expect(c.activeServer).toBe(b.url);
      a.setFault('none');
      await c.findServiceDescription('ags:05315000', URI, soon());
      expect(b.calls.length - before).toBe(2);
    } finally {
      a.setFault('none');
    }
  });

  it('slow: given up at the deadline; a known entry is served stale, an unknown one fails', async () => {
    let t = Date.now();
    const cache = new DirectoryCache<DirectoryTarget>(undefined, { now: () => t, positiveTtlMs: 1000, maxStaleMs: 60_000 });
    const resolve = resolver(new DvdvClient({ servers: [a.url], entryPath: 'intern/directory', attemptTimeoutMs: 300 }), cache);
    expect((await resolve('14612000')).state).toBe('loaded');
    a.setFault('slow');
    try {
      t += 5000;
      expect(await resolve('14612000')).toMatchObject({ state: 'stale', value: { endpoint: 'https://register-14.example/xmeld' } });
      await expect(resolve('15003000')).rejects.toMatchObject({ failure: 'timeout' });
    } finally {
      a.setFault('none');
    }
  });

  it('a certificate changed in the DVDV is seen after the TTL', async () => {
    let t = Date.now();
    const cache = new DirectoryCache<DirectoryTarget>(undefined, { now: () => t, positiveTtlMs: 1000 });
    const resolve = resolver(new DvdvClient({ servers: [b.url], entryPath: 'intern/directory' }), cache);
    const old = pki.identities['land-16'].certPem;
    expect((await resolve('16051000')).value?.signatureCertificates).toEqual([b64(old)]);
    b.setEntry('16', { endpoint: 'https://register-16.example/xmeld', certPem: pki.identities['land-15'].certPem });
    try {
      expect((await resolve('16051000')).value?.signatureCertificates).toEqual([b64(old)]);
      t += 1500;
      expect((await resolve('16051000')).value?.signatureCertificates).toEqual([b64(pki.identities['land-15'].certPem)]);
    } finally {
      b.setEntry('16', { endpoint: 'https://register-16.example/xmeld', certPem: old });
    }
  });

  it('verifyCategory admits the certificates of the category only; batch findservicedescription answers per item', async () => {
    const c = new DvdvClient({ servers: [a.url], entryPath: 'intern/directory' });
    expect(await c.verifyCategory(dvdvFingerprint(pki.identities['authority-police'].certPem), 'Meldebehörde (XMeld)', soon())).toBe(true);
    expect(await c.verifyCategory(dvdvFingerprint(pki.identities['authority-plain'].certPem), 'Meldebehörde (XMeld)', soon())).toBe(false);
    const batch = await c.batchFindServiceDescription([{ organizationKey: 'ags:01001000', serviceSpecificationUri: URI }, { organizationKey: 'ags:99000000', serviceSpecificationUri: URI }], soon());
    expect(batch.map((s) => s?.locationStateId ?? null)).toEqual([1, null]);
  });
});

describe('simulated DVDV: standalone authentication', () => {
  it('issues a token for a registered client certificate (RSA and EC keys); others get 401 and no directory answer', async () => {
    const dvdv = await startSimulatedDvdv({ entries: entries(), clients: [pki.identities.gateway.certPem, pki.identities['land-05'].certPem] });
    try {
      for (const name of ['gateway', 'land-05'] as const) {
        const id = pki.identities[name];
        const client = new DvdvClient({ servers: [dvdv.url], entryPath: 'extern/standaloneauth/directory', auth: { keyPem: id.keyPem, certPem: id.certPem } });
        const s = await client.findServiceDescription('ags:09162000', URI, soon());
        expect(s && targetFromService('ags:09162000', s)?.endpoint).toBe('https://register-09.example/xmeld');
      }
      expect(dvdv.calls.filter((c) => c === 'token')).toHaveLength(2);

      const stranger = pki.identities.mirror; // valid, but not registered with this DVDV
      const refused = new DvdvClient({ servers: [dvdv.url], entryPath: 'extern/standaloneauth/directory', auth: { keyPem: stranger.keyPem, certPem: stranger.certPem } });
      await expect(refused.findServiceDescription('ags:09162000', URI, soon())).rejects.toMatchObject({ failure: 'unauthorized' });
      // Straight to the directory without a token: 401, not an answer.
      const res = await fetch(`${dvdv.url}/extern/standaloneauth/directory/v2/findservicedescription?request_json=${encodeURIComponent(JSON.stringify({ organizationKey: 'ags:09162000' }))}`);
      expect(res.status).toBe(401);
      expect(dvdv.calls).toContain('unauthorized');
      expect(dvdv.calls.filter((c) => c === 'findservicedescription')).toHaveLength(2);
    } finally {
      await dvdv.close();
    }
  });
});
