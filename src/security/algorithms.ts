/**
 * The algorithm allow-list of the profile and the raw sign/verify step (node:crypto).
 * XMLDSig ECDSA signatures are r||s (IEEE P1363), not DER, hence dsaEncoding below; RSA-PSS
 * uses MGF1 with the signature's hash and a salt as long as that hash (RFC 6931 §2.3.10).
 */
import { constants, createHash, sign, verify, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import { Alg } from './ns.js';
import type { C14nParams } from './xml-dom.js';

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface SignatureAlgorithm {
  uri: string;
  hash: HashName;
  keyType: 'rsa' | 'ec';
  /** RSA only: PKCS#1 v1.5 or PSS. */
  padding?: 'pkcs1' | 'pss';
}

const SIGNATURE_ALGORITHMS: Record<string, SignatureAlgorithm> = {
  [Alg.rsaPssSha256]: { uri: Alg.rsaPssSha256, hash: 'sha256', keyType: 'rsa', padding: 'pss' },
  [Alg.rsaPssSha384]: { uri: Alg.rsaPssSha384, hash: 'sha384', keyType: 'rsa', padding: 'pss' },
  [Alg.rsaPssSha512]: { uri: Alg.rsaPssSha512, hash: 'sha512', keyType: 'rsa', padding: 'pss' },
  [Alg.rsaSha256]: { uri: Alg.rsaSha256, hash: 'sha256', keyType: 'rsa', padding: 'pkcs1' },
  [Alg.rsaSha384]: { uri: Alg.rsaSha384, hash: 'sha384', keyType: 'rsa', padding: 'pkcs1' },
  [Alg.rsaSha512]: { uri: Alg.rsaSha512, hash: 'sha512', keyType: 'rsa', padding: 'pkcs1' },
  [Alg.ecdsaSha256]: { uri: Alg.ecdsaSha256, hash: 'sha256', keyType: 'ec' },
  [Alg.ecdsaSha384]: { uri: Alg.ecdsaSha384, hash: 'sha384', keyType: 'ec' },
  [Alg.ecdsaSha512]: { uri: Alg.ecdsaSha512, hash: 'sha512', keyType: 'ec' },
  [Alg.rsaSha1]: { uri: Alg.rsaSha1, hash: 'sha1', keyType: 'rsa', padding: 'pkcs1' },
  [Alg.ecdsaSha1]: { uri: Alg.ecdsaSha1, hash: 'sha1', keyType: 'ec' },
};

const DIGEST_ALGORITHMS: Record<string, HashName> = {
  [Alg.sha256]: 'sha256',
  [Alg.sha384]: 'sha384',
  [Alg.sha512]: 'sha512',
  [Alg.sha1]: 'sha1',
};

/** Output length in bytes: a DigestValue of another length is refused before hashing. */
export const HASH_BYTES: Readonly<Record<HashName, number>> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

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

export function digestAlgorithm(uri: string, policy: AlgorithmPolicy): HashName | undefined {
  const d = DIGEST_ALGORITHMS[uri];
  if (d === 'sha1' && policy.allowSha1 !== true) return undefined;
  return d;
}

export function c14nAlgorithm(uri: string, policy: AlgorithmPolicy): Omit<C14nParams, 'inclusivePrefixes'> | undefined {
  const allowed = policy.c14nAlgorithms ?? STRICT_C14N;
  if (!allowed.includes(uri)) return undefined;
  return C14N_ALGORITHMS[uri];
}

/**
 * The signature algorithm for a signing key: `uri` where given (it must fit the key), else
 * rsa-sha256 for RSA and ecdsa-sha256 for EC.
 */
export function signatureAlgorithmForKey(key: KeyObject, uri?: string): SignatureAlgorithm {
  if (uri !== undefined) {
    const chosen = SIGNATURE_ALGORITHMS[uri];
    if (chosen === undefined || chosen.hash === 'sha1') throw new Error(`signature algorithm not offered for signing: ${uri}`);
    if (!keyMatches(chosen, key)) throw new Error(`signature algorithm ${uri} does not fit a ${key.asymmetricKeyType ?? 'unknown'} key`);
    return chosen;
  }
  if (key.asymmetricKeyType === 'rsa') return SIGNATURE_ALGORITHMS[Alg.rsaSha256]!;
  if (key.asymmetricKeyType === 'ec') return SIGNATURE_ALGORITHMS[Alg.ecdsaSha256]!;
  throw new Error('unsupported signing key type');
}

/** The URI of a digest algorithm the gateway may sign with (SHA-1 is never offered). */
export function digestUriOf(hash: Exclude<HashName, 'sha1'>): string {
  return { sha256: Alg.sha256, sha384: Alg.sha384, sha512: Alg.sha512 }[hash];
}

export function keyMatches(alg: SignatureAlgorithm, key: KeyObject): boolean {
  return key.asymmetricKeyType === alg.keyType;
}

function keyInput(alg: SignatureAlgorithm, key: KeyObject): SignKeyObjectInput {
  if (alg.keyType === 'ec') return { key, dsaEncoding: 'ieee-p1363' };
  if (alg.padding === 'pss') return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[alg.hash] };
  return { key, padding: constants.RSA_PKCS1_PADDING };
}

export function rawSign(alg: SignatureAlgorithm, key: KeyObject, data: Uint8Array): Buffer {
  return sign(alg.hash, data, keyInput(alg, key));
}

export function rawVerify(alg: SignatureAlgorithm, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(alg.hash, data, keyInput(alg, key), signature);
  } catch {
    return false;
  }
}

export function digest(hash: HashName, data: Uint8Array): Buffer {
  return createHash(hash).update(data).digest();
}
