import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { XmlElement } from 'libxml2-wasm';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/gateway-config.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { envelope, postSoap } from '../support/soap-post.js';
import { loadTestPki, withFreshUuid } from '../support/test-pki.js';
import { simulatorSecurity } from '../../src/simulator/simulator-security.js';
import { testSigner } from '../../src/security/test-pki.js';
import { signEnvelope } from '../../src/security/wss-sign.js';
import { NSMAP, resign } from '../security/tamper.js';

/** Issue #13: a party's legacy allowances (SHA-1, RSA below 3072 bits), end to end over HTTP, each use counted. */
const query = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
const open: Harness[] = [];
afterAll(async () => {
  await Promise.all(open.map((h) => h.close()));
});

async function withMirror(change: (mirror: GatewayConfig['parties'][number]) => void): Promise<Harness> {
  const h = await startHarness({ config: (c) => {
    const mirror = c.parties.find((p) => p.id === 'mirror');
    if (mirror) change(mirror);
  } });
  open.push(h);
  return h;
}
const withMirrorSha1 = (allowSha1: boolean): Promise<Harness> => withMirror((m) => { m.allowSha1 = allowSha1; });

async function legacyCount(h: Harness, allowance: string): Promise<number> {
  const text = await (await request(`${h.gateway.url}/metrics`)).body.text();
  const line = text.split('\n').find((l) => l.startsWith(`xmeld_gateway_legacy_crypto_total{party="mirror",allowance="${allowance}"}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

/** The mirror's signed query, re-signed with rsa-sha1 and SHA-1 digests. */
function sha1Signed(h: Harness): string {
  const key = createPrivateKey(h.pki.identities.mirror.keyPem);
  return resign(h.signed(query).xml, key, (sig) => {
    (sig.get('ds:SignedInfo/ds:SignatureMethod', NSMAP) as XmlElement).setAttr('Algorithm', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1');
    for (const d of sig.find('ds:SignedInfo/ds:Reference/ds:DigestMethod', NSMAP) as XmlElement[]) {
      d.setAttr('Algorithm', 'http://www.w3.org/2000/09/xmldsig#sha1');
    }
  });
}

describe('SHA-1 only where a party\'s entry grants it', () => {
  it('refused (T011) for a party without the allowance', async () => {
    const h = await withMirrorSha1(false);
    const facts = answerFacts((await postSoap(h.endpoint, sha1Signed(h))).body);
    expect(facts.rts).toBe('T011');
  });

  it('accepted for the party whose entry says allowSha1: true, and counted', async () => {
    const h = await withMirrorSha1(true);
    const res = await postSoap(h.endpoint, sha1Signed(h));
    expect(answerFacts(res.body).ergebnisstatus).toBe('01');
    expect(await legacyCount(h, 'sha1')).toBe(1);
  });
});

describe('RSA below 3072 bits only where a party\'s entry grants it', () => {
  const signedBy2048 = (h: Harness): string => h.signed(query, { as: 'legacy-rsa2048' }).xml;
  const pinLegacy = (m: GatewayConfig['parties'][number]): void => { m.signerCertificates = ['${PKI}/legacy-rsa2048.cert.pem']; };

  it('refused (T011) without the allowance, even when pinned', async () => {
    const h = await withMirror(pinLegacy);
    expect(answerFacts((await postSoap(h.endpoint, signedBy2048(h))).body).rts).toBe('T011');
    expect(await legacyCount(h, 'rsa-bits')).toBe(0);
  });

  it('accepted with legacy.rsaBits 2048, each use counted in /metrics', async () => {
    const h = await withMirror((m) => { pinLegacy(m); m.legacy = { rsaBits: 2048 }; });
    for (let i = 0; i < 2; i++) expect(answerFacts((await postSoap(h.endpoint, signedBy2048(h))).body).ergebnisstatus).toBe('01');
    expect(await legacyCount(h, 'rsa-bits')).toBe(2);
  });
});

describe('RSA PKCS#1 v1.5 where the policy prefers PSS only with a party\'s pkcs1 allowance', () => {
  async function preferringPss(pkcs1: boolean): Promise<Harness> {
    const h = await startHarness({ config: (c) => {
      c.security.cryptoPolicy = { ...c.security.cryptoPolicy, preferPss: true };
      const mirror = c.parties.find((p) => p.id === 'mirror');
      if (mirror && pkcs1) mirror.legacy = { pkcs1: true };
    } });
    open.push(h);
    return h;
  }

  it('refused (T011) without the allowance; a PSS signature is accepted', async () => {
    const h = await preferringPss(false);
    expect(answerFacts((await postSoap(h.endpoint, h.signed(query).xml)).body).rts).toBe('T011');
    const pss = signEnvelope(envelope(withFreshUuid(query).xml), {
      ...testSigner(h.pki.identities.mirror), signatureAlgorithm: 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
    });
    expect(answerFacts((await postSoap(h.endpoint, pss)).body).ergebnisstatus).toBe('01');
  });

  it('accepted with legacy.pkcs1, and counted', async () => {
    const h = await preferringPss(true);
    expect(answerFacts((await postSoap(h.endpoint, h.signed(query).xml)).body).ergebnisstatus).toBe('01');
    expect(await legacyCount(h, 'pkcs1')).toBe(1);
  });
});

describe('a register\'s legacy signature is counted too', () => {
  it('Land 09 answering with RSA-2048 under its party\'s allowance: answered, counted for land-09', async () => {
    const pki = await loadTestPki();
    const base = simulatorSecurity(pki);
    const legacySigner = testSigner(pki.identities['legacy-rsa2048']);
    const h = await startHarness({
      simulator: {
        security: {
          ...base,
          signResponse: async (xml, register) => (register === '09' ? signEnvelope(xml, legacySigner) : (base.signResponse as NonNullable<typeof base.signResponse>)(xml, register)),
        },
      },
      config: (c) => {
        const land = c.parties.find((p) => p.id === 'land-09');
        if (land) {
          land.signerCertificates = ['${PKI}/legacy-rsa2048.cert.pem'];
          land.legacy = { rsaBits: 2048 };
        }
      },
    });
    open.push(h);
    // Erika Testfrau in München: Land 09.
    expect(answerFacts((await postSoap(h.endpoint, h.signed(query).xml)).body).ergebnisstatus).toBe('01');
    const text = await (await request(`${h.gateway.url}/metrics`)).body.text();
    expect(text).toMatch(/xmeld_gateway_legacy_crypto_total\{party="land-09",allowance="rsa-bits"\} 1/);
  });
});
