import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dvdvLookup } from '../../src/cli/dvdv-commands.js';
import { dvdvFingerprint } from '../../src/security/cert-fingerprint.js';
import { serviceUriFor } from '../../src/dvdv/service-target.js';
import type { TestPki } from '../../src/security/test-pki.js';
import { startSimulatedDvdv, type SimulatedDvdv } from '../../src/simulator/dvdv.js';
import { loadTestPki } from '../support/test-pki.js';

let pki: TestPki;
let dvdv: SimulatedDvdv;
beforeAll(async () => {
  pki = await loadTestPki();
  dvdv = await startSimulatedDvdv({ entries: { '09': { endpoint: 'https://r09.example/xmeld', certPem: pki.identities['land-09'].certPem } } });
});
afterAll(() => dvdv.close());

describe('dvdv lookup', () => {
  it('prints endpoint and certificate fingerprint for a known key, found:false for an unknown one', async () => {
    const o = { servers: [dvdv.url], entryPath: 'intern/directory' as const, serviceUri: serviceUriFor('personensuche', '26.11') };
    expect(await dvdvLookup('ags:09162000', o)).toMatchObject({
      found: true,
      endpoint: 'https://r09.example/xmeld',
      signatureCertificates: [dvdvFingerprint(pki.identities['land-09'].certPem)],
    });
    expect(await dvdvLookup('ags:05315000', o)).toMatchObject({ found: false });
  });
});
