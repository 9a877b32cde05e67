/** Content-free facts about a certificate for callers, logs and protocol records. */
import { X509Certificate } from 'node:crypto';
import type { KeyFacts } from './crypto-policy.js';
import { x509 } from './x509-setup.js';

export interface CertificateInfo {
  pem: string;
  /** Subject DN as @peculiar/x509 (and OpenSSL) print it, in certificate order: "CN=…, O=…, C=DE". */
  subject: string;
  issuer: string;
  /** Serial number, upper-case hex. */
  serialNumber: string;
  /** SHA-256 fingerprint of the DER, lower-case hex without separators. */
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
  /** The public key as the crypto policy judges it: type, RSA size, EC curve. */
  key: KeyFacts;
}

/** Subject and issuer strings of a DER certificate, in the form configuration uses. */
export function dnStrings(der: Uint8Array): { subject: string; issuer: string } {
  const c = new x509.X509Certificate(der);
  return { subject: c.subject, issuer: c.issuer };
}

export function derToPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

export function certificateInfo(cert: X509Certificate): CertificateInfo {
  return {
    pem: derToPem(cert.raw),
    ...dnStrings(cert.raw),
    serialNumber: cert.serialNumber.toUpperCase(),
    fingerprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    key: keyFacts(cert),
  };
}

export function keyFacts(cert: X509Certificate): KeyFacts {
  const k = cert.publicKey;
  const d = k.asymmetricKeyDetails ?? {};
  return {
    type: k.asymmetricKeyType ?? 'unknown',
    ...(d.modulusLength !== undefined ? { bits: d.modulusLength } : {}),
    ...(d.namedCurve !== undefined ? { curve: d.namedCurve } : {}),
  };
}
