import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { RejectedMessageError } from '../../src/errors.js';
import { Alg } from '../../src/security/ns.js';
import { DEFAULT_CRYPTO_POLICY, judgeKey } from '../../src/security/crypto-policy.js';
import { prepareSigner, type SignerIdentity } from '../../src/security/signer.js';
import type { IdentityName, TestPki } from '../../src/security/test-pki.js';
import { verifyAndTrust } from '../../src/security/verify-and-trust.js';
import { signEnvelope } from '../../src/security/wss-sign.js';
import { envelope, loadPki, partyOf, signerOf } from './fixtures.js';

/** Issue #13: every signature and digest algorithm of the 2026 profile, signed and verified. */
let pki: TestPki;
let ecName: IdentityName;
beforeAll(async () => {
  pki = await loadPki();
  const ec = (Object.keys(pki.identities) as IdentityName[]).find((n) => pki.identities[n].keyType === 'ec');
  if (ec === undefined) throw new Error('the test PKI has no EC identity');
  ecName = ec;
}, 60_000);

function signer(name: IdentityName, signatureAlgorithm: string, digest: 'sha256' | 'sha384' | 'sha512'): SignerIdentity {
  return { ...signerOf(pki, name), signatureAlgorithm, digest };
}

async function verdict(xml: string, name: IdentityName): Promise<string> {
  try {
    const v = await verifyAndTrust(xml, () => partyOf(pki, name));
    return v.algorithms.signature;
  } catch (e) {
    if (e instanceof RejectedMessageError) return e.code;
    throw e;
  }
}

const RSA = [Alg.rsaPssSha256, Alg.rsaPssSha384, Alg.rsaPssSha512, Alg.rsaSha256, Alg.rsaSha384, Alg.rsaSha512];
const EC = [Alg.ecdsaSha256, Alg.ecdsaSha384, Alg.ecdsaSha512];
const DIGESTS = ['sha256', 'sha384', 'sha512'] as const;
const DIGEST_URI = { sha256: Alg.sha256, sha384: Alg.sha384, sha512: Alg.sha512 };

describe('signing and verifying every algorithm of the profile', () => {
  it.each(RSA.flatMap((a) => DIGESTS.map((d) => [a, d] as const)))('RSA %s with %s digests', async (alg, d) => {
    const xml = signEnvelope(envelope({ vorgang: true }), signer('mirror', alg, d));
    expect(xml).toContain(`<ds:SignatureMethod Algorithm="${alg}"`);
    expect(xml).toContain(`<ds:DigestMethod Algorithm="${DIGEST_URI[d]}"`);
    expect(await verdict(xml, 'mirror')).toBe(alg);
  });

  it.each(EC.flatMap((a) => DIGESTS.map((d) => [a, d] as const)))('EC %s with %s digests', async (alg, d) => {
    const xml = signEnvelope(envelope({ vorgang: true }), signer(ecName, alg, d));
    expect(await verdict(xml, ecName)).toBe(alg);
  });

  it('the padding is part of the algorithm: a PSS signature relabelled PKCS#1 v1.5 is refused (T011), and the reverse', async () => {
    const pss = signEnvelope(envelope({ vorgang: true }), signer('mirror', Alg.rsaPssSha256, 'sha256'));
    expect(await verdict(pss.replace(Alg.rsaPssSha256, Alg.rsaSha256), 'mirror')).toBe('T011');
    const pkcs1 = signEnvelope(envelope({ vorgang: true }), signer('mirror', Alg.rsaSha256, 'sha256'));
    expect(await verdict(pkcs1.replace(Alg.rsaSha256, Alg.rsaPssSha256), 'mirror')).toBe('T011');
  });

  it('RSA-PSS cross-checked with an independent implementation (xml-crypto 6 verifies sha256-rsa-MGF1)', () => {
    const xml = signEnvelope(envelope({ vorgang: true }), signer('mirror', Alg.rsaPssSha256, 'sha256'));
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const sigNode = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0];
    const sx = new SignedXml({ publicCert: pki.identities.mirror.certPem });
    sx.loadSignature(sigNode as unknown as Parameters<SignedXml['loadSignature']>[0]);
    expect(sx.checkSignature(xml)).toBe(true);
  });

  it('an algorithm that does not fit the key, or SHA-1, is not offered for signing', () => {
    expect(() => prepareSigner(signer('mirror', Alg.ecdsaSha256, 'sha256'))).toThrow(/does not fit/);
    expect(() => prepareSigner(signer('gateway', Alg.rsaPssSha256, 'sha256'))).toThrow(/does not fit/);
    expect(() => prepareSigner(signer('mirror', Alg.rsaSha1, 'sha256'))).toThrow(/not offered/);
  });
});

describe('the crypto policy by key (judgeKey)', () => {
  it('takes the contract\'s curves (P-256, P-384, brainpool) and RSA from 3072 bits; refuses the rest', () => {
    for (const curve of ['prime256v1', 'secp384r1', 'brainpoolP256r1', 'brainpoolP384r1', 'brainpoolP512r1']) {
      expect(judgeKey(DEFAULT_CRYPTO_POLICY, {}, { type: 'ec', curve })).toEqual({ ok: true, legacy: [] });
    }
    expect(judgeKey(DEFAULT_CRYPTO_POLICY, {}, { type: 'ec', curve: 'secp256k1' }).ok).toBe(false);
    expect(judgeKey(DEFAULT_CRYPTO_POLICY, {}, { type: 'rsa', bits: 3072 })).toEqual({ ok: true, legacy: [] });
    expect(judgeKey(DEFAULT_CRYPTO_POLICY, {}, { type: 'rsa', bits: 2048 }).ok).toBe(false);
    expect(judgeKey(DEFAULT_CRYPTO_POLICY, { rsaBits: 2048 }, { type: 'rsa', bits: 2048 })).toEqual({ ok: true, legacy: ['rsa-bits'] });
    expect(judgeKey(DEFAULT_CRYPTO_POLICY, {}, { type: 'ed25519' }).ok).toBe(false);
  });
});
