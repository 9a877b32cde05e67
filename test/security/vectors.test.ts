/**
 * Third-party XMLDSig / wrapping vectors (../shared/vectors, categories 1-dsig and 2-xsw).
 * Every row of expectations.tsv in these categories has a spec below (the suite fails on an
 * unknown row). VALID rows must verify with the listed key or anchor at the stated time;
 * INVALID / REJECT rows must be refused cleanly (SignatureCheckError or RejectedMessageError).
 */
import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RejectedMessageError } from '../../src/errors.js';
import { derToPem } from '../../src/security/cert-info.js';
import { Alg } from '../../src/security/ns.js';
import { verifyEnvelope } from '../../src/security/wss-verify.js';
import { TrustStore, type PartyTrust } from '../../src/security/trust.js';
import { SignatureCheckError, type SignatureFailure } from '../../src/security/xmldsig-core.js';
import { verifyXmlSignature, type XmlSignatureOptions } from '../../src/security/xmldsig-verify.js';
import { SHARED } from './fixtures.js';

const V = path.join(SHARED, 'vectors');
const NOW = new Date('2026-11-23T12:00:00Z');

/** Where the signer key comes from. */
type Trust =
  | { pinKey: string } // the key of this file, validity dates not enforced (the row names no time)
  | { pinCert: string } // this certificate, pinned, must be valid at `now`
  | 'keyinfo' // key material in KeyInfo (RSAKeyValue/ECKeyValue/X509Certificate) treated as configured out of band (worst case for XSW rows)
  | { anchors: string[]; intermediates?: string[] } // leaf from KeyInfo, trusted via TrustStore (chain, validity) and then used
  | { dummy: string }; // an unrelated pinned key: the refusal must come from the profile, not the key

interface Check {
  name: string;
  sig?: number;
  trust: Trust;
  policy?: Partial<XmlSignatureOptions>;
  now?: string;
  expect: 'VALID' | 'REJECT';
  /** Expected reason of a refusal, where it matters. */
  failure?: SignatureFailure | 'T000' | 'T002';
  /** Extra assertion on the signed content of a VALID check. */
  signedContains?: string;
}

const SHA1 = { allowSha1: true };
const ENV = { allowEnvelopedTransform: true };
const C14N10 = { c14nAlgorithms: [Alg.excC14n, Alg.c14n10] };
const C14N11 = { c14nAlgorithms: [Alg.excC14n, Alg.c14n11] };
const LEGACY = { ...SHA1, ...ENV, ...C14N10 };

const SPECS: Record<string, Check[]> = {
  'node-saml/response.root-signed.assertion-signed.TAMPERED.xml': [
    { name: 'response signature: SignatureValue not base64', sig: 0, trust: { pinKey: 'node-saml/cert.pem' }, policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'structure' },
    { name: 'assertion signature', sig: 1, trust: { pinKey: 'node-saml/cert.pem' }, policy: { ...SHA1, ...ENV }, expect: 'REJECT' },
  ],
  'node-saml/response.root-signed.assertion-signed.xml': [
    { name: 'response signature (covers root)', sig: 0, trust: { pinKey: 'node-saml/cert.pem' }, policy: { ...SHA1, ...ENV, requireRootSigned: true }, expect: 'VALID' },
    { name: 'assertion signature', sig: 1, trust: { pinKey: 'node-saml/cert.pem' }, policy: { ...SHA1, ...ENV }, expect: 'VALID' },
    { name: 'gateway default policy refuses its RSA-SHA1', sig: 0, trust: { pinKey: 'node-saml/cert.pem' }, policy: ENV, expect: 'REJECT', failure: 'algorithm' },
  ],
  'santuario-w3c/ecc_p256_sha256_exc-c14n.xml': [
    { name: 'ECDSA P-256 is allowed by the profile', trust: 'keyinfo', policy: { ...ENV, ...C14N10 }, expect: 'VALID' },
  ],
  'santuario-w3c/hmac_sha256_exc-c14n.xml': [
    { name: 'HMAC never accepted', trust: { dummy: 'xml-crypto/client_public.pem' }, policy: LEGACY, expect: 'REJECT', failure: 'algorithm' },
  ],
  'santuario-w3c/rsa2048_sha1_exc-c14n.xml': [
    { name: 'crypto valid with SHA-1 allowed', trust: 'keyinfo', policy: LEGACY, expect: 'VALID' },
    { name: 'SHA-1 disallowed by default', trust: 'keyinfo', policy: { ...ENV, ...C14N10 }, expect: 'REJECT', failure: 'algorithm' },
  ],
  'santuario-w3c/rsa2048_sha256_c14n.xml': [
    { name: 'inclusive C14N allowed for generic documents', trust: 'keyinfo', policy: { ...ENV, ...C14N10 }, expect: 'VALID' },
    { name: 'SOAP profile (exc-c14n only) refuses it', trust: 'keyinfo', policy: ENV, expect: 'REJECT', failure: 'algorithm' },
  ],
  // These W3C samples have no explicit Reference c14n, so the implicit inclusive C14N 1.0 applies.
  'santuario-w3c/rsa2048_sha256_exc-c14n.xml': [
    { name: 'pinned RSAKeyValue (implicit C14N 1.0 allowed)', trust: 'keyinfo', policy: { ...ENV, ...C14N10 }, expect: 'VALID' },
    { name: 'SOAP profile needs an explicit exc-c14n transform', trust: 'keyinfo', policy: ENV, expect: 'REJECT', failure: 'algorithm' },
  ],
  'santuario-w3c/signature-enveloping-hmac-sha1-trunclen-0-attack.xml': [
    { name: 'HMACOutputLength=0', trust: { dummy: 'xml-crypto/client_public.pem' }, policy: LEGACY, expect: 'REJECT', failure: 'algorithm' },
  ],
  'signxml/enveloped-sha256-rsa-sha256-test-1.xml': [
    { name: 'C14N 1.1 (libxml2 supports it) when allowed', trust: { pinCert: 'signxml/signxml-test-cert.pem' }, policy: { ...ENV, ...C14N11 }, expect: 'VALID' },
    { name: 'default policy: REJECT cleanly (unsupported algorithm)', trust: { pinCert: 'signxml/signxml-test-cert.pem' }, policy: ENV, expect: 'REJECT', failure: 'algorithm' },
  ],
  'signxml/invalid_enveloped_transform.xml': [
    { name: 'enveloped transform on a ds:Object', trust: { pinCert: 'signxml/signxml-test-cert.pem' }, policy: { ...ENV, ...C14N11 }, expect: 'REJECT', failure: 'reference' },
  ],
  'signxml/pyxmlsecurity-SAML_assertion_sha256.xml': [
    { name: 'now: pinned certificate expired 2009', trust: { pinCert: 'signxml/pyxmlsecurity-test.pem' }, policy: ENV, expect: 'REJECT', failure: 'key' },
    { name: 'crypto valid in Oct 2009', trust: { pinCert: 'signxml/pyxmlsecurity-test.pem' }, policy: ENV, now: '2009-10-20T00:00:00Z', expect: 'VALID' },
  ],
  'signxml/soap12-wsse-rsa-sha256-request.xml': [
    { name: 'now: leaf expired 2021-01-29', trust: { anchors: ['signxml/soap12-wsse-ca.pem'] }, expect: 'REJECT', failure: 'T000' },
    { name: 'valid in 2020 via the e-Kasa test CA', trust: { anchors: ['signxml/soap12-wsse-ca.pem'] }, now: '2020-06-01T00:00:00Z', expect: 'VALID' },
    { name: 'not trusted under another anchor', trust: { anchors: ['xmlsec/keys/cacert.pem'] }, now: '2020-06-01T00:00:00Z', expect: 'REJECT', failure: 'T002' },
  ],
  'xml-crypto/invalid_signature-changed_content.xml': [{ name: 'changed content', trust: { pinCert: 'xml-crypto/client_public.pem' }, policy: LEGACY, expect: 'REJECT' }],
  'xml-crypto/invalid_signature-hash.xml': [{ name: 'altered DigestValue', trust: { pinCert: 'xml-crypto/client_public.pem' }, policy: LEGACY, expect: 'REJECT' }],
  'xml-crypto/invalid_signature-non_existing_reference.xml': [
    { name: 'reference to a missing id', trust: { pinCert: 'xml-crypto/client_public.pem' }, policy: LEGACY, expect: 'REJECT', failure: 'reference' },
  ],
  'xml-crypto/invalid_signature-signature_value.xml': [{ name: 'altered SignatureValue', trust: { pinCert: 'xml-crypto/client_public.pem' }, policy: LEGACY, expect: 'REJECT' }],
  'xml-crypto/signature_with_inclusivenamespaces.xml': [
    { name: 'InclusiveNamespaces PrefixList', trust: { pinCert: 'xml-crypto/signature_with_inclusivenamespaces.pem' }, policy: { ...SHA1, ...ENV }, expect: 'VALID' },
  ],
  'xml-crypto/valid_saml.xml': [
    { name: 'response signature', sig: 0, trust: { pinCert: 'xml-crypto/feide_public.pem' }, policy: { ...SHA1, ...ENV }, expect: 'VALID' },
    { name: 'assertion signature', sig: 1, trust: { pinCert: 'xml-crypto/feide_public.pem' }, policy: { ...SHA1, ...ENV }, expect: 'VALID' },
  ],
  'xml-crypto/valid_signature.xml': [
    // Documented fallback: the profile demands the root be signed. (libxml2 also refuses to
    // canonicalize its relative namespace URI xmlns="ns", which C14N forbids.)
    { name: 'REJECT: only non-root elements signed', trust: { pinCert: 'xml-crypto/client_public.pem' }, policy: { ...LEGACY, requireRootSigned: true }, expect: 'REJECT' },
  ],
  'xml-crypto/valid_signature_utf8.xml': [
    { name: 'UTF-8 content', trust: { pinCert: 'xml-crypto/client_public.pem' }, policy: ENV, expect: 'VALID', signedContains: 'сообщить вКонтакте' },
  ],
  'xmlsec/enveloped-sha1-rsa-sha1.xml': [
    { name: 'SHA-1 and XPath transform outside the profile', trust: { pinKey: 'xmlsec/keys/rsa-4096-pubkey.pem' }, policy: LEGACY, expect: 'REJECT', failure: 'algorithm' },
  ],
  'xmlsec/enveloped-x509-digest-sha256.xml': [
    // Policy deviation: VALID needs an XPath transform; the profile refuses XPath transforms
    // (the fallback documented for the sibling row enveloped-x509-missing-cert.xml).
    { name: 'REJECT: XPath transform outside the profile', trust: { pinCert: 'xmlsec/keys/rsa-4096-cert.pem' }, policy: LEGACY, expect: 'REJECT', failure: 'algorithm' },
  ],
  'xmlsec/enveloped-x509-missing-cert.xml': [
    { name: 'REJECT: XPath transform outside the profile', trust: { anchors: ['xmlsec/keys/cacert.pem'], intermediates: ['xmlsec/keys/ca2cert.pem'] }, policy: LEGACY, expect: 'REJECT', failure: 'algorithm' },
    { name: 'chain incomplete with cacert.pem only', trust: { anchors: ['xmlsec/keys/cacert.pem'] }, policy: LEGACY, expect: 'REJECT', failure: 'T002' },
  ],
  'xmlsec/enveloping-expired-cert.xml': [
    { name: 'now: leaf expired 2026-03-22', trust: { anchors: ['xmlsec/keys/cacert.pem'] }, policy: LEGACY, expect: 'REJECT', failure: 'T000' },
    { name: 'valid on 2026-03-15', trust: { anchors: ['xmlsec/keys/cacert.pem'] }, policy: LEGACY, now: '2026-03-15T12:00:00Z', expect: 'VALID' },
  ],
  'xmlsec/enveloping-sha256-rsa-sha256.xml': [
    { name: 'trusted via anchor cacert.pem', trust: { anchors: ['xmlsec/keys/cacert.pem'] }, policy: C14N10, expect: 'VALID' },
    { name: 'self-signed root in KeyInfo is not trusted by itself', trust: { anchors: ['signxml/soap12-wsse-ca.pem'] }, policy: C14N10, expect: 'REJECT', failure: 'T002' },
  ],
  'xmlsec/merlin-signature-enveloping-rsa.xml': [
    { name: 'bare RSAKeyValue with RSA-SHA1: refused by policy', trust: 'keyinfo', policy: { ...ENV, ...C14N10 }, expect: 'REJECT', failure: 'algorithm' },
  ],
  'xmlsec/signature-rsa-enveloped-bad-digest-val.xml': [{ name: 'digest altered', trust: 'keyinfo', policy: LEGACY, expect: 'REJECT' }],
  'xmlsec/signature-rsa-enveloped-bad-sig.xml': [
    { name: 'extra Reference without DigestValue', trust: 'keyinfo', policy: LEGACY, expect: 'REJECT', failure: 'structure' },
  ],
  'xmlsec/signature-rsa-enveloped.xml': [
    { name: 'now: certificate expired 2012', trust: { pinCert: 'xmlsec/keys/phaos-rsa-cert.der' }, policy: LEGACY, expect: 'REJECT', failure: 'key' },
    { name: 'crypto valid in 2009', trust: { pinCert: 'xmlsec/keys/phaos-rsa-cert.der' }, policy: LEGACY, now: '2009-06-01T00:00:00Z', expect: 'VALID' },
  ],
  'xoev-xwasser/xwasser-signature-template-unsigned.xml': [
    { name: 'empty template', trust: { dummy: 'xml-crypto/client_public.pem' }, policy: LEGACY, expect: 'REJECT' },
  ],
  'node-saml/response.root-resigned-by-attacker-assertion-unsigned-attackers-cert-at-keyinfo.xml': [
    { name: 'attacker key in KeyInfo is ignored', trust: { pinKey: 'node-saml/cert.pem' }, policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'signature' },
  ],
  'node-saml/response.root-signed-transforms.assertion-unsigned.xml': [
    { name: 'enveloped-signature twice', trust: { pinKey: 'node-saml/cert.pem' }, policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'algorithm' },
  ],
  'python3-saml/signature_wrapping_attack2.xml': [
    { name: 'signature not inside the element it signs', trust: 'keyinfo', policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'reference' },
  ],
  'ruby-saml/response_node_text_attack2.xml': [
    { name: 'comment inside NameID: signed content reads the full value', trust: { pinKey: 'ruby-saml/ruby-saml.crt' }, policy: { ...SHA1, ...ENV }, expect: 'VALID', signedContains: 'test@onelogin.com' },
  ],
  'ruby-saml/response_node_text_attack3.xml': [{ name: 'text changed', trust: { pinKey: 'ruby-saml/ruby-saml.crt' }, policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'digest' }],
  'ruby-saml/response_with_concealed_signed_assertion.xml': [
    { name: 'signed assertion concealed in a forged one', trust: 'keyinfo', policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'reference' },
  ],
  'ruby-saml/response_with_doubled_signed_assertion.xml': [
    { name: 'forged sibling carries the signature', trust: 'keyinfo', policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'reference' },
  ],
  'ruby-saml/response_wrapped.xml': [{ name: 'signature over an embedded EntityDescriptor', trust: 'keyinfo', policy: { ...SHA1, ...ENV }, expect: 'REJECT' }],
  'ruby-saml/signature_wrapping_attack.xml': [{ name: 'duplicate ID', trust: 'keyinfo', policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'duplicate-id' }],
  'xml-crypto/id_with_quotes.xml': [{ name: 'quote in the referenced id', trust: { pinCert: 'xml-crypto/feide_public.pem' }, policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'reference' }],
  'xml-crypto/invalid_saml_no_signed_info.xml': [
    { name: 'response signature without SignedInfo', sig: 0, trust: { pinCert: 'xml-crypto/feide_public.pem' }, policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'structure' },
    { name: 'assertion signature stays valid', sig: 1, trust: { pinCert: 'xml-crypto/feide_public.pem' }, policy: { ...SHA1, ...ENV }, expect: 'VALID' },
  ],
  'xml-crypto/saml_multiple_signed_info_nodes.xml': [
    { name: 'two SignedInfo', trust: { pinKey: 'xml-crypto/saml_external_ns.pem' }, policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'structure' },
  ],
  'xml-crypto/saml_wrapped_signed_info_node.xml': [
    { name: 'foreign element in ds:Signature', trust: { pinKey: 'xml-crypto/saml_external_ns.pem' }, policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'structure' },
  ],
  'xml-crypto/valid_saml_signature_wrapping.xml': [
    { name: 'response signature: duplicate ID', sig: 0, trust: { pinCert: 'xml-crypto/feide_public.pem' }, policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'duplicate-id' },
    { name: 'assertion signature: duplicate ID', sig: 1, trust: { pinCert: 'xml-crypto/feide_public.pem' }, policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'duplicate-id' },
  ],
  'xml-crypto/valid_saml_with_digest_comment.xml': [
    { name: 'comment in DigestValue', trust: { pinCert: 'xml-crypto/feide_public.pem' }, policy: { ...SHA1, ...ENV }, expect: 'REJECT', failure: 'structure' },
  ],
  'xml-crypto/valid_saml_withcomments.xml': [
    { name: 'response signature switched to #WithComments', sig: 0, trust: { pinCert: 'xml-crypto/feide_public.pem' }, policy: { ...SHA1, ...ENV }, expect: 'REJECT' },
    { name: 'assertion signature stays valid', sig: 1, trust: { pinCert: 'xml-crypto/feide_public.pem' }, policy: { ...SHA1, ...ENV }, expect: 'VALID' },
  ],
};

function read(rel: string): Buffer {
  return readFileSync(path.join(V, rel));
}

function certFile(rel: string): X509Certificate {
  return new X509Certificate(read(rel));
}

function keyFile(rel: string): KeyObject {
  const raw = read(rel);
  return raw.includes('CERTIFICATE-----') || rel.endsWith('.der') || rel.endsWith('.crt') ? certFile(rel).publicKey : createPublicKey(raw.toString('utf8'));
}

const b64 = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'base64');

/** X509Certificate elements of the document, in document order. */
function keyInfoCerts(xml: string): X509Certificate[] {
  return [...xml.matchAll(/<(?:\w+:)?X509Certificate>([^<]+)</g)].map((m) => new X509Certificate(b64(m[1] ?? '')));
}

function keyInfoKeys(xml: string): KeyObject[] {
  const keys: KeyObject[] = keyInfoCerts(xml).map((c) => c.publicKey);
  for (const m of xml.matchAll(/<(?:\w+:)?Modulus>([^<]+)<\/(?:\w+:)?Modulus>\s*<(?:\w+:)?Exponent>([^<]+)</g)) {
    keys.push(createPublicKey({ key: { kty: 'RSA', n: b64(m[1] ?? '').toString('base64url'), e: b64(m[2] ?? '').toString('base64url') }, format: 'jwk' }));
  }
  for (const m of xml.matchAll(/<(?:\w+:)?PublicKey>([^<]+)</g)) {
    const p = b64(m[1] ?? '');
    if (p[0] === 4 && p.length === 65) {
      keys.push(createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: p.subarray(1, 33).toString('base64url'), y: p.subarray(33).toString('base64url') }, format: 'jwk' }));
    }
  }
  // RFC 4050 ECDSAKeyValue: decimal coordinates.
  for (const m of xml.matchAll(/<(?:\w+:)?X Value="(\d+)"\s*\/>\s*<(?:\w+:)?Y Value="(\d+)"/g)) {
    const coord = (d: string): string => Buffer.from(BigInt(d).toString(16).padStart(64, '0'), 'hex').toString('base64url');
    keys.push(createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: coord(m[1] ?? '0'), y: coord(m[2] ?? '0') }, format: 'jwk' }));
  }
  return keys;
}

async function run(file: string, c: Check): Promise<{ ok: true; signed: string } | { ok: false; failure: string }> {
  const xml = read(file);
  const text = xml.toString('utf8');
  const now = c.now ? new Date(c.now) : NOW;
  let trusted: Array<string | KeyObject>;
  try {
    const t = c.trust;
    if (t === 'keyinfo') trusted = keyInfoKeys(text);
    else if ('pinKey' in t) trusted = [keyFile(t.pinKey)];
    else if ('dummy' in t) trusted = [keyFile(t.dummy)];
    else if ('pinCert' in t) trusted = [derToPem(certFile(t.pinCert).raw)];
    else {
      // Leaf = the KeyInfo certificate whose key is not a CA of the others: take the first one
      // that no other KeyInfo certificate was issued by.
      const certs = keyInfoCerts(text);
      const leaf = certs.find((cand) => !certs.some((o) => o !== cand && o.checkIssued(cand))) ?? certs[0];
      if (leaf === undefined) throw new Error('no certificate in KeyInfo');
      const party: PartyTrust = {
        id: 'vector',
        trustAnchors: t.anchors.map((a) => derToPem(certFile(a).raw)),
        intermediates: [...(t.intermediates ?? []).map((a) => derToPem(certFile(a).raw)), ...certs.filter((x) => x !== leaf).map((x) => derToPem(x.raw))],
        signerCertificates: [derToPem(leaf.raw)],
        keyUsage: 'if-present',
      };
      await new TrustStore().check(derToPem(leaf.raw), [], party, now);
      trusted = [leaf.publicKey];
    }
    const res = verifyXmlSignature(xml, { trusted, now, signatureIndex: c.sig ?? 0, ...c.policy });
    return { ok: true, signed: res.references.map((r) => r.canonical).join('\n') };
  } catch (e) {
    if (e instanceof SignatureCheckError) return { ok: false, failure: e.failure };
    if (e instanceof RejectedMessageError) return { ok: false, failure: e.code };
    throw e; // anything else is a crash, not a clean refusal
  }
}

const rows = readFileSync(path.join(V, 'expectations.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'))
  .filter((r) => r[1] === '1-dsig' || r[1] === '2-xsw')
  .map((r) => ({ file: r[0] ?? '', category: r[1] ?? '', expected: r[2] ?? '' }));

describe('shared vectors: XMLDSig (1-dsig) and wrapping (2-xsw)', () => {
  it('every row of these categories has a spec', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
    expect(rows.map((r) => r.file).filter((f) => !(f in SPECS))).toEqual([]);
  });

  it('signxml/soap12-wsse-rsa-sha256-request.xml through the SOAP profile: no BinarySecurityToken → T003', () => {
    expect(() => verifyEnvelope(read('signxml/soap12-wsse-rsa-sha256-request.xml'), {}, { now: new Date('2020-06-01T00:00:00Z') })).toThrow(
      expect.objectContaining({ code: 'T003' }) as unknown as Error,
    );
  });

  for (const row of rows) {
    const checks = SPECS[row.file] ?? [];
    describe(`${row.category} ${row.file} [${row.expected}]`, () => {
      for (const c of checks) {
        it(`${c.expect}: ${c.name}`, async () => {
          // The verdict of a VALID row must be honoured by at least one VALID check.
          if (row.expected.startsWith('VALID (both')) expect(checks.filter((k) => k.expect === 'VALID').length).toBeGreaterThanOrEqual(2);
          const r = await run(row.file, c);
          if (c.expect === 'VALID') {
            expect(r).toMatchObject({ ok: true });
            if (c.signedContains !== undefined && r.ok) expect(r.signed).toContain(c.signedContains);
          } else {
            expect(r.ok).toBe(false);
            if (c.failure !== undefined && !r.ok) expect(r.failure).toBe(c.failure);
          }
        });
      }
    });
  }
});
