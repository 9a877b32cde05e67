/**
 * The cryptography a signature must meet (issue #13, BSI TR-02102-1 2026): which signature and
 * digest algorithms, RSA keys of at least 3072 bits, named curves only. A deployment default,
 * and per party the legacy allowances its entry grants — RSA below the minimum, PKCS#1 v1.5
 * where the policy prefers PSS, SHA-1 (`allowSha1`) — each use reported so it can be counted.
 * Pure: the decisions only, the verifier applies them.
 */
import { Alg } from './ns.js';

export interface CryptoPolicy {
  /** Signature algorithm URIs accepted without an allowance. */
  signatureAlgorithms: readonly string[];
  /** Digest algorithm URIs accepted without an allowance. */
  digestAlgorithms: readonly string[];
  /** Smallest RSA modulus accepted without an allowance. */
  minRsaBits: number;
  /** Named curves accepted (node:crypto names: prime256v1 = P-256, secp384r1 = P-384, brainpoolP…r1). */
  curves: readonly string[];
  /** RSA signatures should be PSS: PKCS#1 v1.5 then needs a party's allowance. */
  preferPss: boolean;
}

/** What a party's entry grants beyond the policy (legacy; each use is counted). */
export interface LegacyAllowance {
  /** Accept RSA keys from this size up (below the policy's minimum). */
  rsaBits?: number;
  /** Accept PKCS#1 v1.5 though the policy prefers PSS. */
  pkcs1?: boolean;
  /** Accept SHA-1 signatures and digests. */
  sha1?: boolean;
}

/** The public key of a signer certificate, as far as the policy looks at it. */
export interface KeyFacts {
  type: string;
  /** RSA modulus length. */
  bits?: number;
  /** EC named curve. */
  curve?: string;
}

export type LegacyUse = 'rsa-bits' | 'pkcs1' | 'sha1';

export type PolicyVerdict = { ok: true; legacy: LegacyUse[] } | { ok: false; reason: string };

const PKCS1 = new Set<string>([Alg.rsaSha256, Alg.rsaSha384, Alg.rsaSha512, Alg.rsaSha1]);
const SHA1 = new Set<string>([Alg.rsaSha1, Alg.ecdsaSha1, Alg.sha1]);

export const DEFAULT_CRYPTO_POLICY: CryptoPolicy = {
  signatureAlgorithms: [
    Alg.rsaPssSha256, Alg.rsaPssSha384, Alg.rsaPssSha512,
    Alg.rsaSha256, Alg.rsaSha384, Alg.rsaSha512,
    Alg.ecdsaSha256, Alg.ecdsaSha384, Alg.ecdsaSha512,
  ],
  digestAlgorithms: [Alg.sha256, Alg.sha384, Alg.sha512],
  minRsaBits: 3072,
  curves: ['prime256v1', 'secp384r1', 'brainpoolP256r1', 'brainpoolP384r1', 'brainpoolP512r1'],
  preferPss: false,
};

/** The signer's key: RSA size and EC curve (cheap; judged before any digest is computed). */
export function judgeKey(policy: CryptoPolicy, allow: LegacyAllowance, key: KeyFacts): PolicyVerdict {
  if (key.type === 'rsa' || key.type === 'rsa-pss') {
    const bits = key.bits ?? 0;
    if (bits >= policy.minRsaBits) return { ok: true, legacy: [] };
    if (allow.rsaBits !== undefined && bits >= allow.rsaBits) return { ok: true, legacy: ['rsa-bits'] };
    return { ok: false, reason: `RSA-Schlüssel mit ${bits} Bit (mindestens ${policy.minRsaBits})` };
  }
  if (key.type === 'ec') {
    if (key.curve !== undefined && policy.curves.includes(key.curve)) return { ok: true, legacy: [] };
    return { ok: false, reason: `Kurve ${key.curve ?? 'unbekannt'} nicht zugelassen` };
  }
  return { ok: false, reason: `Schlüsseltyp ${key.type} nicht zugelassen` };
}

/** The signature's algorithms, once it verified. */
export function judgeAlgorithms(policy: CryptoPolicy, allow: LegacyAllowance, used: { signature: string; digests: readonly string[] }): PolicyVerdict {
  const legacy = new Set<LegacyUse>();
  for (const uri of [used.signature, ...used.digests]) {
    if (!SHA1.has(uri)) continue;
    if (allow.sha1 !== true) return { ok: false, reason: 'SHA-1 für diesen Absender nicht erlaubt' };
    legacy.add('sha1');
  }
  if (policy.preferPss && PKCS1.has(used.signature)) {
    if (allow.pkcs1 !== true) return { ok: false, reason: 'RSA PKCS#1 v1.5 für diesen Absender nicht erlaubt (PSS verlangt)' };
    legacy.add('pkcs1');
  }
  const listed = policy.signatureAlgorithms.includes(used.signature)
    || (SHA1.has(used.signature) && legacy.has('sha1'))
    || (PKCS1.has(used.signature) && legacy.has('pkcs1'));
  if (!listed) return { ok: false, reason: 'Signaturalgorithmus nach der Richtlinie nicht zugelassen' };
  for (const d of used.digests) {
    if (!policy.digestAlgorithms.includes(d) && !(SHA1.has(d) && legacy.has('sha1'))) {
      return { ok: false, reason: 'Digest-Algorithmus nach der Richtlinie nicht zugelassen' };
    }
  }
  return { ok: true, legacy: [...legacy] };
}

/** Both verdicts in one: refused if either refuses, else every legacy use of both. */
export function combine(a: PolicyVerdict, b: PolicyVerdict): PolicyVerdict {
  if (!a.ok) return a;
  if (!b.ok) return b;
  return { ok: true, legacy: [...new Set([...a.legacy, ...b.legacy])] };
}

/** The deployment's policy: the defaults with what `security.cryptoPolicy` sets. */
export function cryptoPolicyOf(config: { security: { cryptoPolicy: Partial<CryptoPolicy> } }): CryptoPolicy {
  const set = Object.fromEntries(Object.entries(config.security.cryptoPolicy).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_CRYPTO_POLICY, ...set };
}
