import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { dvdvFingerprint } from '../security/cert-fingerprint.js';

/**
 * JWT client assertion for the DVDV standalone authentication (createToken). The subject names
 * the organisation's registered client certificate as `fp:<SHA-1 fingerprint, hex>`. The
 * algorithm follows the key: RSA → RS256 (PS256 on request), EC → ES256/384/512 by curve.
 */
export type JwtAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'ES512';

export function algorithmFor(key: KeyObject, preferPss = false): JwtAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return preferPss ? 'PS256' : 'RS256';
  if (key.asymmetricKeyType === 'rsa-pss') return 'PS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
    throw new Error(`DVDV client assertion: EC curve ${String(curve)} has no JWS algorithm`);
  }
  throw new Error(`DVDV client assertion: key type ${String(key.asymmetricKeyType)} not supported`);
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export interface AssertionInput {
  keyPem: string;
  certPem: string;
  /** Token endpoint URL (the audience). */
  audience: string;
  preferPss?: boolean;
  now?: Date;
}

export function clientAssertion(input: AssertionInput): string {
  const key = createPrivateKey(input.keyPem);
  const alg = algorithmFor(key, input.preferPss);
  const sub = `fp:${dvdvFingerprint(input.certPem)}`;
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const header = { alg, typ: 'JWT' };
  const payload = { iss: sub, sub, aud: input.audience, iat, exp: iat + 300, jti: randomUUID() };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const digest = `sha${alg.slice(2)}`;
  const signature = alg.startsWith('ES')
    ? sign(digest, Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' })
    : alg === 'PS256'
      ? sign(digest, Buffer.from(signingInput), { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 })
      : sign(digest, Buffer.from(signingInput), key);
  return `${signingInput}.${b64url(signature)}`;
}
