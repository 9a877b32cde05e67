/**
 * Trust material the reload tests change: a next gateway certificate for the key rollover (a
 * fresh EC key, issued by the test PKI's intermediate CA under the gateway's own subject) and a
 * new CRL of that CA; written to a directory of the test.
 */
import { createPrivateKey, webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { x509 } from '../../src/security/x509-setup.js';
import type { TestPki } from '../../src/security/test-pki.js';

const ISSUER_SIGNING = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as webcrypto.Algorithm;

function intermediateKey(pki: TestPki): Promise<webcrypto.CryptoKey> {
  const der = createPrivateKey(pki.intermediateCa.keyPem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, ISSUER_SIGNING, false, ['sign']);
}

/** A CRL of the intermediate CA revoking the given certificates (PEM), as a file. */
export async function writeCrl(pki: TestPki, revoked: string[], file: string): Promise<string> {
  const now = Date.now();
  const crl = await x509.X509CrlGenerator.create({
    issuer: pki.intermediateCa.subject,
    thisUpdate: new Date(now - 60_000),
    nextUpdate: new Date(now + 7 * 86_400_000),
    entries: revoked.map((pem) => ({ serialNumber: new x509.X509Certificate(pem).serialNumber, revocationDate: new Date(now - 30_000), reason: x509.X509CrlReason.keyCompromise })),
    signingAlgorithm: ISSUER_SIGNING,
    signingKey: await intermediateKey(pki),
    // As the test PKI's own CRL. The reason matters: without entry extensions @peculiar/x509 2.2 writes an
    // empty crlEntryExtensions SEQUENCE (RFC 5280 wants 1..MAX), which pkijs rightly refuses.
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(await new x509.X509Certificate(pki.intermediateCa.certPem).publicKey.export())],
  });
  writeFileSync(file, `${x509.PemConverter.encode(crl.rawData, 'X509 CRL')}\n`);
  return file;
}

export async function issueNextGatewayCertificate(pki: TestPki, dir: string): Promise<{ keyFile: string; certFile: string; certPem: string }> {
  const issuerKey = await intermediateKey(pki);
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: `7${Date.now().toString(16)}`,
    subject: pki.identities.gateway.subject,
    issuer: pki.intermediateCa.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 30 * 86_400_000),
    publicKey: keys.publicKey,
    signingKey: issuerKey,
    signingAlgorithm: ISSUER_SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  const keyPem = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  const keyFile = path.join(dir, 'gateway-next.TEST-KEY.pem');
  const certFile = path.join(dir, 'gateway-next.cert.pem');
  writeFileSync(keyFile, `${keyPem}\n`);
  writeFileSync(certFile, cert.toString('pem'));
  return { keyFile, certFile, certPem: cert.toString('pem') };
}
