/** Hostile variants of our own signed traffic: each must be refused with its RTS code. */
import { createPrivateKey, randomUUID } from 'node:crypto';
import { XmlElement } from 'libxml2-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { RejectedMessageError, type RtsCode } from '../../src/errors.js';
import { InMemoryReplayGuard } from '../../src/security/replay-guard.js';
import type { IdentityName, TestPki } from '../../src/security/test-pki.js';
import type { PartyTrust } from '../../src/security/trust.js';
import { verifyAndTrust, type VerifyAndTrustOptions } from '../../src/security/verify-and-trust.js';
import { DEFAULT_CRYPTO_POLICY } from '../../src/security/crypto-policy.js';
import { signEnvelope } from '../../src/security/wss-sign.js';
import { envelope, loadPki, message1330, partyOf, signerOf } from './fixtures.js';
import { NSMAP, resign } from './tamper.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await loadPki();
}, 60_000);

const ALG = {
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  hmacSha256: 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256',
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  excWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  xpath: 'http://www.w3.org/TR/1999/REC-xpath-19991116',
};

function signedBy(name: IdentityName = 'gateway', opts: { vorgang?: boolean; now?: Date; soap?: '1.1' | '1.2'; uuid?: string } = {}): string {
  return signEnvelope(envelope({ vorgang: opts.vorgang ?? true, soap: opts.soap ?? '1.1', body: message1330(opts.uuid) }), signerOf(pki, name), opts.now ? { now: opts.now } : {});
}

function keyOf(name: IdentityName) {
  return createPrivateKey(pki.identities[name].keyPem);
}

async function refusal(xml: string, party: PartyTrust = partyOf(pki, 'gateway'), opts: VerifyAndTrustOptions = {}): Promise<RtsCode | 'accepted'> {
  try {
    await verifyAndTrust(xml, () => party, opts);
    return 'accepted';
  } catch (e) {
    if (e instanceof RejectedMessageError) return e.code;
    throw e;
  }
}

/** Text between the first occurrence of open and the matching close tag (flat, test-only). */
function element(xml: string, open: string, close: string): string {
  const s = xml.indexOf(open);
  const e = xml.indexOf(close, s) + close.length;
  return xml.slice(s, e);
}

describe('structure and wrapping', () => {
  it('control: an untouched signed envelope is accepted', async () => {
    expect(await refusal(signedBy())).toBe('accepted');
  });

  it('XSW: signed Body moved into a Header wrapper, forged Body in its place → T099', async () => {
    const xml = signedBy();
    const body = element(xml, '<soap:Body', '</soap:Body>');
    const forged = `<soap:Body>${message1330()}</soap:Body>`;
    const attacked = xml.replace(body, forged).replace('<soap:Header>', `<soap:Header><x:wrap xmlns:x="urn:attacker">${body}</x:wrap>`);
    expect(await refusal(attacked)).toBe('T099');
  });

  it('XSW: forged Body carrying the signed wsu:Id, original hidden in a wrapper → T099 (duplicate id)', async () => {
    const xml = signedBy();
    const body = element(xml, '<soap:Body', '</soap:Body>');
    const id = /wsu:Id="([^"]+)"/.exec(body)?.[1] ?? '';
    const hidden = body.replace('<soap:Body', '<x:Body xmlns:x="urn:attacker"').replace('</soap:Body>', '</x:Body>');
    const forged = `<soap:Body xmlns:wsu="${NSMAP.wsu}" wsu:Id="${id}">${message1330()}</soap:Body>`;
    const attacked = xml.replace(body, forged).replace('<soap:Header>', `<soap:Header>${hidden}`);
    expect(await refusal(attacked)).toBe('T099');
  });

  it('XSW: original Body renamed into a wrapper (id unique), forged Body unsigned → T011', async () => {
    const xml = signedBy();
    const body = element(xml, '<soap:Body', '</soap:Body>');
    const hidden = body.replace('<soap:Body', '<soap:Body2').replace('</soap:Body>', '</soap:Body2>');
    const attacked = xml.replace(body, `<soap:Body>${message1330()}</soap:Body>`).replace('<soap:Header>', `<soap:Header>${hidden}`);
    expect(await refusal(attacked)).toBe('T011');
  });

  it('duplicate ids anywhere in the document → T099', async () => {
    const xml = signedBy();
    const tsId = /<wsu:Timestamp wsu:Id="([^"]+)"/.exec(xml)?.[1] ?? '';
    const attacked = xml.replace('<soap:Header>', `<soap:Header><x:a xmlns:x="urn:x" Id="${tsId}"/>`);
    expect(await refusal(attacked)).toBe('T099');
  });

  it('a second Body → T099', async () => {
    const xml = signedBy();
    expect(await refusal(xml.replace('</soap:Envelope>', `<soap:Body>${message1330()}</soap:Body></soap:Envelope>`))).toBe('T099');
  });

  it('a second Security header → T099', async () => {
    const xml = signedBy();
    const sec = element(xml, '<wsse:Security', '</wsse:Security>');
    expect(await refusal(xml.replace('</soap:Header>', `${sec}</soap:Header>`))).toBe('T099');
  });

  it('a second Envelope nested in the Header → T099', async () => {
    const xml = signedBy();
    expect(await refusal(xml.replace('<soap:Header>', `<soap:Header><soap:Envelope><soap:Body/></soap:Envelope>`))).toBe('T099');
  });

  it('two messages in the signed Body → T011 (digest) / never accepted', async () => {
    const xml = signedBy();
    expect(await refusal(xml.replace('</soap:Body>', `${message1330()}</soap:Body>`))).toBe('T011');
  });

  it('no Security header → T010; Security without Signature → T010; without token → T003', async () => {
    const unsigned = envelope({ vorgang: true });
    expect(await refusal(unsigned)).toBe('T010');
    const xml = signedBy();
    expect(await refusal(xml.replace(element(xml, '<ds:Signature', '</ds:Signature>'), ''))).toBe('T010');
    expect(await refusal(xml.replace(element(xml, '<wsse:BinarySecurityToken', '</wsse:BinarySecurityToken>'), ''))).toBe('T003');
  });

  it('DOCTYPE → X000; not well-formed → X000', async () => {
    const xml = signedBy();
    expect(await refusal(`<!DOCTYPE soap:Envelope [<!ENTITY x "y">]>${xml}`)).toBe('X000');
    expect(await refusal(xml.slice(0, -5))).toBe('X000');
  });
});

describe('signature coverage and content', () => {
  it('signature covering only the Timestamp (re-signed with the right key) → T011', async () => {
    const xml = resign(signedBy('gateway', { vorgang: false }), keyOf('gateway'), (sig) => {
      const refs = sig.find('ds:SignedInfo/ds:Reference', NSMAP) as XmlElement[];
      refs.filter((r) => (r.attr('URI')?.value ?? '').startsWith('#Body')).forEach((r) => r.remove());
    });
    expect(xml).not.toContain('URI="#Body');
    expect(await refusal(xml)).toBe('T011');
  });

  it('gw:vorgang present but not signed → T011', async () => {
    const xml = resign(signedBy('gateway', { vorgang: true }), keyOf('gateway'), (sig) => {
      for (const r of sig.find('ds:SignedInfo/ds:Reference[@URI="#vorgang-1"]', NSMAP) as XmlElement[]) r.remove();
    });
    expect(await refusal(xml)).toBe('T011');
  });

  it('content changed after signing → T011', async () => {
    const xml = signedBy();
    expect(await refusal(xml.replace(/<nachrichtenUUID>[^<]*</, `<nachrichtenUUID>${randomUUID()}<`))).toBe('T011');
    expect(await refusal(xml.replace('03-20261123-000042', '03-20261123-000043'))).toBe('T011');
  });

  it('a comment inside DigestValue (SignedInfo c14n unchanged, signature still valid) → T011', async () => {
    const xml = signedBy();
    expect(await refusal(xml.replace('<ds:DigestValue>', '<ds:DigestValue><!--x-->'))).toBe('T011');
  });

  it('KeyInfo not pointing at the token → T011', async () => {
    const xml = signedBy();
    expect(await refusal(xml.replace(/(<wsse:Reference URI="#)[^"]+"/, '$1other"'))).toBe('T011');
  });
});

describe('algorithm policy (each variant cryptographically valid)', () => {
  it('SHA-1 signature and digests → T011, accepted only for a party that allows SHA-1', async () => {
    const xml = resign(signedBy('mirror'), keyOf('mirror'), (sig) => {
      (sig.get('ds:SignedInfo/ds:SignatureMethod', NSMAP) as XmlElement).setAttr('Algorithm', ALG.rsaSha1);
      for (const d of sig.find('ds:SignedInfo/ds:Reference/ds:DigestMethod', NSMAP) as XmlElement[]) d.setAttr('Algorithm', ALG.sha1);
    });
    expect(await refusal(xml, partyOf(pki, 'mirror'))).toBe('T011');
    expect(await refusal(xml, partyOf(pki, 'mirror'), { anySha1Party: true })).toBe('T011');
    expect(await refusal(xml, partyOf(pki, 'mirror', { allowSha1: true }), { anySha1Party: true })).toBe('accepted');
  });

  it('RSA below 3072 bits → T011, accepted only where the party grants the size (legacy, reported)', async () => {
    const xml = signedBy('legacy-rsa2048');
    expect(await refusal(xml, partyOf(pki, 'legacy-rsa2048'))).toBe('T011');
    const allowed = await verifyAndTrust(xml, () => partyOf(pki, 'legacy-rsa2048', { legacy: { rsaBits: 2048 } }));
    expect(allowed.legacy).toEqual(['rsa-bits']);
    expect(await refusal(xml, partyOf(pki, 'legacy-rsa2048', { legacy: { rsaBits: 3000 } }))).toBe('T011');
    // A policy that lowers its minimum accepts it without an allowance.
    expect(await refusal(xml, partyOf(pki, 'legacy-rsa2048'), { cryptoPolicy: { ...DEFAULT_CRYPTO_POLICY, minRsaBits: 2048 } })).toBe('accepted');
  });

  it('PKCS#1 v1.5 where the policy prefers PSS → T011, accepted with the party\'s pkcs1 allowance; PSS always', async () => {
    const prefersPss = { ...DEFAULT_CRYPTO_POLICY, preferPss: true };
    const pkcs1 = signedBy('mirror');
    expect(await refusal(pkcs1, partyOf(pki, 'mirror'), { cryptoPolicy: prefersPss })).toBe('T011');
    const allowed = await verifyAndTrust(pkcs1, () => partyOf(pki, 'mirror', { legacy: { pkcs1: true } }), { cryptoPolicy: prefersPss });
    expect(allowed.legacy).toEqual(['pkcs1']);
    const pss = signEnvelope(envelope({ vorgang: true, body: message1330() }), { ...signerOf(pki, 'mirror'), signatureAlgorithm: 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1' });
    expect(await refusal(pss, partyOf(pki, 'mirror'), { cryptoPolicy: prefersPss })).toBe('accepted');
  });

  it('an algorithm or curve the policy leaves out → T011', async () => {
    const onlyRsa = { ...DEFAULT_CRYPTO_POLICY, signatureAlgorithms: ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'] };
    expect(await refusal(signedBy('gateway'), partyOf(pki, 'gateway'), { cryptoPolicy: onlyRsa })).toBe('T011');
    expect(await refusal(signedBy('gateway'), partyOf(pki, 'gateway'), { cryptoPolicy: { ...DEFAULT_CRYPTO_POLICY, curves: ['secp384r1'] } })).toBe('T011');
    expect(await refusal(signedBy('gateway'), partyOf(pki, 'gateway'))).toBe('accepted');
  });

  it('HMAC-SHA256 → T011', async () => {
    const xml = resign(signedBy(), keyOf('gateway'), (sig) => {
      (sig.get('ds:SignedInfo/ds:SignatureMethod', NSMAP) as XmlElement).setAttr('Algorithm', ALG.hmacSha256);
    });
    expect(await refusal(xml)).toBe('T011');
  });

  it('inclusive C14N for SignedInfo → T011; as a Reference transform → T011', async () => {
    const a = resign(signedBy(), keyOf('gateway'), (sig) => {
      (sig.get('ds:SignedInfo/ds:CanonicalizationMethod', NSMAP) as XmlElement).setAttr('Algorithm', ALG.c14n);
    });
    expect(await refusal(a)).toBe('T011');
    const b = resign(signedBy(), keyOf('gateway'), (sig) => {
      (sig.get('ds:SignedInfo/ds:Reference/ds:Transforms/ds:Transform', NSMAP) as XmlElement).setAttr('Algorithm', ALG.c14n);
    });
    expect(await refusal(b)).toBe('T011');
  });

  it('exc-c14n#WithComments → T011', async () => {
    const xml = resign(signedBy(), keyOf('gateway'), (sig) => {
      (sig.get('ds:SignedInfo/ds:CanonicalizationMethod', NSMAP) as XmlElement).setAttr('Algorithm', ALG.excWithComments);
    });
    expect(await refusal(xml)).toBe('T011');
  });

  it('an XPath transform → T011', async () => {
    const xml = resign(signedBy(), keyOf('gateway'), (sig) => {
      const t = sig.get('ds:SignedInfo/ds:Reference/ds:Transforms/ds:Transform', NSMAP) as XmlElement;
      t.prependElement('Transform', 'ds').setAttr('Algorithm', ALG.xpath);
    });
    expect(await refusal(xml)).toBe('T011');
  });
});

describe('signer trust', () => {
  it.each([
    ['untrusted', 'T002'],
    ['self-signed', 'T002'],
    ['expired', 'T000'],
    ['not-yet-valid', 'T000'],
    ['revoked', 'T001'],
    ['wrong-key-usage', 'T002'],
  ] as const)('re-signed with the %s certificate → %s', async (name, code) => {
    const xml = signedBy(name);
    // The party is configured for exactly that subject, so only the certificate's defect counts.
    expect(await refusal(xml, partyOf(pki, name))).toBe(code);
  });

  it('a valid certificate of another party → T070', async () => {
    expect(await refusal(signedBy('land-05'), partyOf(pki, 'gateway'))).toBe('T070');
  });

  it('pinning by certificate works, and a pin on another certificate → T070', async () => {
    const pinned = partyOf(pki, 'gateway', { signerSubjects: [], signerCertificates: [pki.identities.gateway.certPem] });
    expect(await refusal(signedBy('gateway'), pinned)).toBe('accepted');
    const other = partyOf(pki, 'gateway', { signerSubjects: [], signerCertificates: [pki.identities.mirror.certPem] });
    expect(await refusal(signedBy('gateway'), other)).toBe('T070');
  });

  it('unknown party (resolver returns undefined) → T070', async () => {
    await expect(verifyAndTrust(signedBy(), () => undefined)).rejects.toMatchObject({ code: 'T070' });
  });
});

describe('cheap checks first, and fault texts that name the check', () => {
  async function detail(xml: string, party: PartyTrust | null = partyOf(pki, 'gateway')): Promise<{ code: string; text: string }> {
    try {
      await verifyAndTrust(xml, () => party ?? undefined);
    } catch (e) {
      if (e instanceof RejectedMessageError) return { code: e.code, text: e.message };
      throw e;
    }
    throw new Error('accepted');
  }
  const tampered = (xml: string): string => xml.replace(/<nachrichtenUUID>[^<]*</, `<nachrichtenUUID>${randomUUID()}<`);

  it('an untrusted certificate is refused for its issuer (T002), even when the digests are wrong too', async () => {
    const r = await detail(tampered(signedBy('untrusted')), partyOf(pki, 'untrusted'));
    expect(r.code).toBe('T002');
    expect(r.text).toContain('Aussteller');
  });

  it('an unknown sender is refused (T070) before its digests are checked', async () => {
    expect((await detail(tampered(signedBy()), null)).code).toBe('T070');
  });

  it('an expired certificate is refused (T000) before its digests are checked', async () => {
    expect((await detail(tampered(signedBy('expired')), partyOf(pki, 'expired'))).code).toBe('T000');
  });

  it('a digest mismatch names the reference; a refused algorithm names the algorithm', async () => {
    const digest = await detail(tampered(signedBy()));
    expect(digest.code).toBe('T011');
    expect(digest.text).toMatch(/Reference "#[\w-]+": Digest stimmt nicht/);
    const hmac = resign(signedBy(), keyOf('gateway'), (sig) => {
      (sig.get('ds:SignedInfo/ds:SignatureMethod', NSMAP) as XmlElement).setAttr('Algorithm', ALG.hmacSha256);
    });
    expect((await detail(hmac)).text).toContain(`Signaturalgorithmus "${ALG.hmacSha256}" nicht erlaubt`);
    const xpath = resign(signedBy(), keyOf('gateway'), (sig) => {
      const t = sig.get('ds:SignedInfo/ds:Reference/ds:Transforms/ds:Transform', NSMAP) as XmlElement;
      t.prependElement('Transform', 'ds').setAttr('Algorithm', ALG.xpath);
    });
    expect((await detail(xpath)).text).toMatch(/Reference "#[\w-]+": Transformation/);
  });

  it('an over-long or unprintable algorithm is not echoed', async () => {
    const long = `urn:${'x'.repeat(500)}`;
    const xml = resign(signedBy(), keyOf('gateway'), (sig) => {
      (sig.get('ds:SignedInfo/ds:SignatureMethod', NSMAP) as XmlElement).setAttr('Algorithm', long);
    });
    const r = await detail(xml);
    expect(r.code).toBe('T011');
    expect(r.text).not.toContain('xxxxxxxxxx');
  });
});

describe('freshness and replay', () => {
  it('stale Timestamp (expired beyond skew) → T099', async () => {
    expect(await refusal(signedBy('gateway', { now: new Date(Date.now() - 20 * 60_000) }))).toBe('T099');
  });

  it('Created in the future beyond skew → S000; within skew accepted', async () => {
    expect(await refusal(signedBy('gateway', { now: new Date(Date.now() + 10 * 60_000) }))).toBe('S000');
    expect(await refusal(signedBy('gateway', { now: new Date(Date.now() + 60_000) }))).toBe('accepted');
  });

  it('replayed nachrichtenUUID → S100 (also when re-signed as a new envelope)', async () => {
    const guard = new InMemoryReplayGuard();
    const uuid = randomUUID();
    const xml = signedBy('gateway', { uuid });
    expect(await refusal(xml, undefined, { replayGuard: guard })).toBe('accepted');
    expect(await refusal(xml, undefined, { replayGuard: guard })).toBe('S100');
    expect(await refusal(signedBy('gateway', { uuid }), undefined, { replayGuard: guard })).toBe('S100');
    expect(await refusal(signedBy('gateway'), undefined, { replayGuard: guard })).toBe('accepted');
  });

  it('a forged message does not reach the replay store', async () => {
    const guard = new InMemoryReplayGuard();
    const uuid = randomUUID();
    expect(await refusal(signedBy('untrusted', { uuid }), partyOf(pki, 'untrusted'), { replayGuard: guard })).toBe('T002');
    expect(guard.size).toBe(0);
  });
});
