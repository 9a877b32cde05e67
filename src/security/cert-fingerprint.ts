import { createHash, X509Certificate } from 'node:crypto';

/**
 * A certificate as the DVDV names it: the SHA-1 fingerprint of its DER, hex. An identifier in
 * the directory's protocol, not a security decision (trust is checked on the certificate).
 */
export function dvdvFingerprint(certPemOrDer: string | Buffer): string {
  const der = typeof certPemOrDer === 'string' ? new X509Certificate(certPemOrDer).raw : certPemOrDer;
  return createHash('sha1').update(der).digest('hex');
}
