/**
 * A next gateway certificate for the key-rollover test: a fresh EC key, issued by the test
 * PKI's intermediate CA under the gateway's own subject, written to a directory of the test.
 */
import { createPrivateKey, webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { x509 } from '../../src/security/x509-setup.js';
import type { TestPki } from '../../src/security/test-pki.js';

export async function issueNextGatewayCertificate(pki: TestPki, dir: string): Promise<{ keyFile: string; certFile: string; certPem: string }> {
  const issuerKey = await webcrypto.subtle.importKey(
    'pkcs8',
    createPrivateKey(pki.intermediateCa.keyPem).export({ type: 'pkcs8', format: 'der' }),
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  );
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
    signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as webcrypto.Algorithm,
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
