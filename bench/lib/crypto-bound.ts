/** RSA-2048 signatures per second on one core with node:crypto: the ceiling of a signing gateway. */
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import os from 'node:os';

export interface CryptoBound {
  rsaSignPerSec: number;
  rsaVerifyPerSec: number;
  ecSignPerSec: number;
  ecVerifyPerSec: number;
  signaturesPerQuery: number;
  cores: number;
  /** queries/s if signing were the only work, on all cores */
  boundQps: number;
}

function rate(fn: () => void, ms: number): number {
  for (let i = 0; i < 20; i++) fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    fn();
    n++;
  }
  return (n * 1000) / (performance.now() - t0);
}

export function measureCryptoBound(ms = 2000, cores = os.availableParallelism?.() ?? os.cpus().length): CryptoBound {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // what is signed is SignedInfo: a few hundred bytes, hashed inside sign()
  const data = createHash('sha256').update('SignedInfo').digest();
  const rsaSig = sign('sha256', data, rsa.privateKey);
  const ecSig = sign('sha256', data, ec.privateKey);
  const rsaSignPerSec = rate(() => sign('sha256', data, rsa.privateKey), ms);
  const rsaVerifyPerSec = rate(() => verify('sha256', data, rsa.publicKey, rsaSig), ms / 4);
  const ecSignPerSec = rate(() => sign('sha256', data, ec.privateKey), ms / 4);
  const ecVerifyPerSec = rate(() => verify('sha256', data, ec.publicKey, ecSig), ms / 4);
  const signaturesPerQuery = 2; // the forwarded request and the answer
  return { rsaSignPerSec, rsaVerifyPerSec, ecSignPerSec, ecVerifyPerSec, signaturesPerQuery, cores, boundQps: (rsaSignPerSec / signaturesPerQuery) * cores };
}
