/**
 * The algorithm allow-list of the profile and the raw sign/verify step (node:crypto).
 * XMLDSig ECDSA signatures are r||s (IEEE P1363), not DER, hence dsaEncoding below.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { Alg } from './ns.js';
import type { C14nParams } from './xml-dom.js';

export interface SignatureAlgorithm {
  uri: string;
  hash: 'sha256' | 'sha1';
  keyType: 'rsa' | 'ec';
}

const SIGNATURE_ALGORITHMS: Record<string, SignatureAlgorithm> = {
  [Alg.rsaSha256]: { uri: Alg.rsaSha256, hash: 'sha256', keyType: 'rsa' },
  [Alg.ecdsaSha256]: { uri: Alg.ecdsaSha256, hash: 'sha256', keyType: 'ec' },
  [Alg.rsaSha1]: { uri: Alg.rsaSha1, hash: 'sha1', keyType: 'rsa' },
  [Alg.ecdsaSha1]: { uri: Alg.ecdsaSha1, hash: 'sha1', keyType: 'ec' },
};

const DIGEST_ALGORITHMS: Record<string, 'sha256' | 'sha1'> = {
  [Alg.sha256]: 'sha256',
  [Alg.sha1]: 'sha1',
};

const C14N_ALGORITHMS: Record<string, Omit<C14nParams, 'inclusivePrefixes'>> = {
  [Alg.excC14n]: { kind: 'exclusive', withComments: false },
  [Alg.excC14nWithComments]: { kind: 'exclusive', withComments: true },
  [Alg.c14n10]: { kind: 'inclusive10', withComments: false },
  [Alg.c14n10WithComments]: { kind: 'inclusive10', withComments: true },
  [Alg.c14n11]: { kind: 'inclusive11', withComments: false },
  [Alg.c14n11WithComments]: { kind: 'inclusive11', withComments: true },
};

/** What a verifier accepts. HMAC is never accepted: there is no way to configure it. */
export interface AlgorithmPolicy {
  /** rsa-sha1 / ecdsa-sha1 / sha1 digests. Default false. */
  allowSha1?: boolean;
  /** Canonicalization algorithms accepted for SignedInfo and as transforms. Default: exc-c14n only. */
  c14nAlgorithms?: readonly string[];
  /** Accept the enveloped-signature transform (generic documents only; never in SOAP). */
  allowEnvelopedTransform?: boolean;
}

export const STRICT_C14N: readonly string[] = [Alg.excC14n];

export function signatureAlgorithm(uri: string, policy: AlgorithmPolicy): SignatureAlgorithm | undefined {
  const alg = SIGNATURE_ALGORITHMS[uri];
  if (alg === undefined) return undefined;
  if (alg.hash === 'sha1' && policy.allowSha1 !== true) return undefined;
  return alg;
}

export function digestAlgorithm(uri: string, policy: AlgorithmPolicy): 'sha256' | 'sha1' | undefined {
  const d = DIGEST_ALGORITHMS[uri];
  if (d === 'sha1' && policy.allowSha1 !== true) return undefined;
  return d;
}

export function c14nAlgorithm(uri: string, policy: AlgorithmPolicy): Omit<C14nParams, 'inclusivePrefixes'> | undefined {
  const allowed = policy.c14nAlgorithms ?? STRICT_C14N;
  if (!allowed.includes(uri)) return undefined;
  return C14N_ALGORITHMS[uri];
}

/** The signature algorithm URI for a signing key (RSA → rsa-sha256, EC → ecdsa-sha256). */
export function signatureAlgorithmForKey(key: KeyObject): SignatureAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return SIGNATURE_ALGORITHMS[Alg.rsaSha256]!;
  if (key.asymmetricKeyType === 'ec') return SIGNATURE_ALGORITHMS[Alg.ecdsaSha256]!;
  throw new Error('unsupported signing key type');
}

export function keyMatches(alg: SignatureAlgorithm, key: KeyObject): boolean {
  return key.asymmetricKeyType === alg.keyType;
}

export function rawSign(alg: SignatureAlgorithm, key: KeyObject, data: Uint8Array): Buffer {
  return sign(alg.hash, data, alg.keyType === 'ec' ? { key, dsaEncoding: 'ieee-p1363' } : key);
}

export function rawVerify(alg: SignatureAlgorithm, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(alg.hash, data, alg.keyType === 'ec' ? { key, dsaEncoding: 'ieee-p1363' } : key, signature);
  } catch {
    return false;
  }
}

export function digest(hash: 'sha256' | 'sha1', data: Uint8Array): Buffer {
  return createHash(hash).update(data).digest();
}
