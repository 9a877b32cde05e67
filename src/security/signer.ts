/** The signing identity of a party (the gateway, a simulated register) and its prepared form. */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { signatureAlgorithmForKey, type SignatureAlgorithm } from './algorithms.js';

export interface SignerIdentity {
  /** Private key (KeyObject or PEM). */
  privateKey: KeyObject | string;
  /** Signer certificate, PEM. */
  certificate: string;
  /** Further chain certificates (PEM), informational; the profile sends the leaf only. */
  chain?: string[];
  /** Signature algorithm URI (default by key type: rsa-sha256, ecdsa-sha256); must fit the key. */
  signatureAlgorithm?: string;
  /** Digest of the references (default sha256). */
  digest?: 'sha256' | 'sha384' | 'sha512';
}

export interface PreparedSigner {
  key: KeyObject;
  algorithm: SignatureAlgorithm;
  digest: 'sha256' | 'sha384' | 'sha512';
  /** DER of the certificate, base64, for the BinarySecurityToken. */
  certificateBase64: string;
}

// Parsing a PEM key costs more than an RSA signature; prepare once per identity object.
const prepared = new WeakMap<SignerIdentity, PreparedSigner>();

export function prepareSigner(signer: SignerIdentity): PreparedSigner {
  const cached = prepared.get(signer);
  if (cached) return cached;
  const key = typeof signer.privateKey === 'string' ? createPrivateKey(signer.privateKey) : signer.privateKey;
  if (key.type !== 'private') throw new Error('signer key is not a private key');
  const cert = new X509Certificate(signer.certificate);
  if (!cert.checkPrivateKey(key)) throw new Error('signer key does not match its certificate');
  const p: PreparedSigner = {
    key,
    algorithm: signatureAlgorithmForKey(key, signer.signatureAlgorithm),
    digest: signer.digest ?? 'sha256',
    certificateBase64: cert.raw.toString('base64'),
  };
  prepared.set(signer, p);
  return p;
}
