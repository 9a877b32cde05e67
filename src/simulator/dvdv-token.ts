import { constants, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { dvdvFingerprint } from '../security/cert-fingerprint.js';

/**
 * The simulated DVDV's standalone authentication (`extern/standaloneauth/token`): a JWT client
 * assertion is accepted when its subject `fp:<SHA-1>` names a registered client certificate,
 * the signature verifies with that certificate's key under the header's algorithm, the audience
 * is a token endpoint and it has not expired. Returns the client's fingerprint, else undefined.
 */
export function acceptedClient(assertion: string, clients: readonly string[], now = Date.now()): string | undefined {
  const [h, p, s, ...rest] = assertion.split('.');
  if (h === undefined || p === undefined || s === undefined || rest.length > 0) return undefined;
  let header: { alg?: string };
  let payload: { sub?: string; aud?: string; exp?: number };
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString()) as typeof header;
    payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as typeof payload;
  } catch {
    return undefined;
  }
  const fp = payload.sub?.startsWith('fp:') ? payload.sub.slice(3) : undefined;
  const cert = clients.find((c) => dvdvFingerprint(c) === fp);
  if (cert === undefined || fp === undefined) return undefined;
  if (!payload.aud?.endsWith('/extern/standaloneauth/token') || typeof payload.exp !== 'number' || payload.exp * 1000 <= now) return undefined;
  const alg = header.alg ?? '';
  if (!/^(RS256|PS256|ES256|ES384|ES512)$/.test(alg)) return undefined;
  const key = createPublicKey(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'pem' }));
  const withKey = alg.startsWith('ES')
    ? { key, dsaEncoding: 'ieee-p1363' as const }
    : alg === 'PS256' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : key;
  return verify(`sha${alg.slice(2)}`, Buffer.from(`${h}.${p}`), withKey, Buffer.from(s, 'base64url')) ? fp : undefined;
}
