import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { InMemoryReplayGuard } from '../../src/security/replay-guard.js';
import type { IdentityName, TestPki } from '../../src/security/test-pki.js';
import { verifyAndTrust } from '../../src/security/verify-and-trust.js';
import { signEnvelope, signEnvelopeDetailed } from '../../src/security/wss-sign.js';
import { verifyEnvelope } from '../../src/security/wss-verify.js';
import { envelope, loadPki, message1330, partyOf, signerOf } from './fixtures.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await loadPki();
}, 60_000);

describe('sign → verify round trip', () => {
  const cases: Array<{ soap: '1.1' | '1.2'; vorgang: boolean; signer: IdentityName }> = [];
  for (const soap of ['1.1', '1.2'] as const) {
    for (const vorgang of [false, true]) {
      for (const signer of ['gateway', 'mirror', 'land-05'] as const) cases.push({ soap, vorgang, signer });
    }
  }
  it.each(cases)('SOAP $soap, vorgang=$vorgang, signer $signer', async ({ soap, vorgang, signer }) => {
    const uuid = crypto.randomUUID();
    const unsigned = envelope({ soap, vorgang, body: message1330(uuid) });
    const { xml, signedIds } = signEnvelopeDetailed(unsigned, signerOf(pki, signer), vorgang ? { vorgangElementId: 'vorgang-1' } : {});
    expect(signedIds).toHaveLength(vorgang ? 3 : 2);
    const guard = new InMemoryReplayGuard();
    const result = await verifyAndTrust(xml, () => partyOf(pki, signer), { replayGuard: guard });
    expect(result.soapVersion).toBe(soap);
    expect(result.nachrichtenUUID).toBe(uuid);
    expect(result.autorKennung).toBe('dbs:060030020000');
    expect(result.messageName).toEqual({ ns: 'http://www.osci.de/xmeld2511a', local: 'datenabruf.personensuche.suchanfrage.1330' });
    expect(result.messageXml.startsWith('<xmeld:datenabruf.personensuche.suchanfrage.1330')).toBe(true);
    expect(result.bodyXml).toContain(`<nachrichtenUUID>${uuid}</nachrichtenUUID>`);
    expect(result.signerCertificate.subject).toBe(pki.identities[signer].subject);
    expect(result.signedIds.sort()).toEqual([...signedIds].sort());
    expect(result.algorithms.signature).toBe(
      signer === 'mirror' ? 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' : 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
    );
    expect(result.vorgang?.vorgangsnummer).toBe(vorgang ? '03-20261123-000042' : undefined);
    expect(result.trust.path).toEqual([pki.identities[signer].subject, pki.intermediateCa.subject, pki.rootCa.subject]);
    expect(result.timestamp.expires.getTime() - result.timestamp.created.getTime()).toBe(300_000);
  });

  it('adds a Header when the envelope has none, and mustUnderstand in the SOAP version of the envelope', () => {
    for (const soap of ['1.1', '1.2'] as const) {
      const xml = signEnvelope(envelope({ soap, header: false }), signerOf(pki, 'gateway'));
      expect(xml).toMatch(/<soap:Header><wsse:Security [^>]*soap:mustUnderstand="(1|true)"/);
      expect(xml).toContain(soap === '1.1' ? 'soap:mustUnderstand="1"' : 'soap:mustUnderstand="true"');
      expect(verifyEnvelope(xml).soapVersion).toBe(soap);
    }
  });

  it('writes Timestamp with milliseconds and Z, random NCName ids that differ per message', () => {
    const now = new Date('2026-11-23T10:00:00.000Z');
    const a = signEnvelopeDetailed(envelope(), signerOf(pki, 'gateway'), { now, ttlSeconds: 120 });
    const b = signEnvelopeDetailed(envelope(), signerOf(pki, 'gateway'), { now });
    expect(a.xml).toContain('<wsu:Created>2026-11-23T10:00:00.000Z</wsu:Created><wsu:Expires>2026-11-23T10:02:00.000Z</wsu:Expires>');
    for (const id of [...a.signedIds, ...b.signedIds]) expect(id).toMatch(/^[A-Za-z][A-Za-z0-9-]+$/);
    expect(new Set([...a.signedIds, ...b.signedIds]).size).toBe(4);
  });

  it('keeps the gw:vorgang wsu:Id and refuses an unknown vorgangElementId', () => {
    const xml = signEnvelope(envelope({ vorgang: true }), signerOf(pki, 'gateway'), { vorgangElementId: 'vorgang-1' });
    expect(xml).toContain('<ds:Reference URI="#vorgang-1">');
    expect(() => signEnvelope(envelope({ vorgang: true }), signerOf(pki, 'gateway'), { vorgangElementId: 'other' })).toThrow();
    expect(() => signEnvelope(xml, signerOf(pki, 'gateway'))).toThrow(/already/);
  });

  it('accepts the envelope as bytes, also with a UTF-8 BOM and an XML declaration', () => {
    const xml = signEnvelope(envelope(), signerOf(pki, 'gateway'));
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`)]);
    expect(verifyEnvelope(bytes).messageName.local).toBe('datenabruf.personensuche.suchanfrage.1330');
  });

  it('RSA signatures verify with xml-crypto 6.3.2 as an independent verifier', () => {
    const xml = signEnvelope(envelope({ vorgang: true }), signerOf(pki, 'mirror'));
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const sigNode = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0];
    const sx = new SignedXml({ publicCert: pki.identities.mirror.certPem });
    sx.loadSignature(sigNode as unknown as Parameters<SignedXml['loadSignature']>[0]);
    expect(sx.checkSignature(xml)).toBe(true);
    expect(sx.getSignedReferences()).toHaveLength(3);
  });
});
