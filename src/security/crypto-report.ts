/**
 * `xmeld-gateway crypto report`, the /metrics gauges of certificate expiry and CRL age, and
 * /ready's signing check, from one reading of the configuration: the gateway's own key (and the
 * next one) and every party's signer certificates, anchors and CRLs — algorithm, key size or
 * curve, chain, days to expiry, CRL age and next update, and the verdict against the policy.
 * Facts about certificates only; never key material.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { GatewayConfig } from '../config/gateway-config.js';
import { RejectedMessageError } from '../errors.js';
import { dnStrings, keyFacts } from './cert-info.js';
import { cryptoPolicyOf, judgeKey, type CryptoPolicy, type KeyFacts, type LegacyAllowance } from './crypto-policy.js';
import { signatureAlgorithmForKey } from './algorithms.js';
import { TrustStore, crlDer, type PartyTrust } from './trust.js';
import { pkijs } from './x509-setup.js';

export type Verdict = 'ok' | 'legacy' | 'refused';

export interface CertificateEntry {
  role: 'gateway' | 'gateway-next' | 'signer' | 'anchor' | 'intermediate';
  party?: string;
  subject: string;
  key: string;
  signatureAlgorithm?: string;
  notAfter: string;
  daysToExpiry: number;
  /** Chains to the party's anchors (signers), or 'n/a'. */
  chain: 'ok' | 'n/a' | string;
  verdict: Verdict;
  reason?: string;
}

export interface CrlEntry {
  party: string;
  issuer: string;
  thisUpdate: string;
  nextUpdate?: string;
  ageHours: number;
  hoursToNextUpdate?: number;
  verdict: Verdict;
}

export interface CryptoReport {
  at: string;
  policy: CryptoPolicy;
  certificates: CertificateEntry[];
  crls: CrlEntry[];
  /** The gateway has a usable signing key whose certificate is valid now. */
  canSign: boolean;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

export function describeKey(k: KeyFacts): string {
  if (k.type === 'ec') return `ECDSA ${k.curve ?? '?'}`;
  if (k.type === 'rsa' || k.type === 'rsa-pss') return `RSA-${k.bits ?? '?'}`;
  return k.type;
}

export async function cryptoReport(config: GatewayConfig, readPem: (file: string) => string, now: Date = new Date()): Promise<CryptoReport> {
  const policy = cryptoPolicyOf(config);
  const certificates: CertificateEntry[] = [];
  const crls: CrlEntry[] = [];
  const store = new TrustStore();
  let canSign = false;

  const entry = (role: CertificateEntry['role'], pem: string, judge: LegacyAllowance | undefined, extra: Partial<CertificateEntry> = {}): CertificateEntry => {
    const cert = new X509Certificate(pem);
    const key = keyFacts(cert);
    const notAfter = new Date(cert.validTo);
    const expired = now.getTime() > notAfter.getTime() || now.getTime() < new Date(cert.validFrom).getTime();
    const byPolicy = judge === undefined ? { ok: true as const, legacy: [] } : judgeKey(policy, judge, key);
    const verdict: Verdict = expired || !byPolicy.ok ? 'refused' : byPolicy.legacy.length > 0 ? 'legacy' : 'ok';
    const reason = expired ? 'außerhalb der Gültigkeit' : byPolicy.ok ? (byPolicy.legacy.length > 0 ? `legacy: ${byPolicy.legacy.join(', ')}` : undefined) : byPolicy.reason;
    return {
      role, subject: dnStrings(cert.raw).subject, key: describeKey(key), notAfter: notAfter.toISOString(),
      daysToExpiry: Math.floor((notAfter.getTime() - now.getTime()) / DAY), chain: 'n/a', verdict,
      ...(reason !== undefined ? { reason } : {}), ...extra,
    };
  };

  const own = (role: 'gateway' | 'gateway-next', keyFile: string | undefined, certFile: string | undefined): void => {
    if (keyFile === undefined || certFile === undefined) return;
    try {
      const pem = readPem(certFile);
      const key = createPrivateKey(readPem(keyFile));
      const alg = signatureAlgorithmForKey(key, config.security.signatureAlgorithm).uri;
      const e = entry(role, pem, {}, { signatureAlgorithm: alg });
      if (!new X509Certificate(pem).checkPrivateKey(key)) Object.assign(e, { verdict: 'refused', reason: 'Schlüssel passt nicht zum Zertifikat' });
      certificates.push(e);
      if (role === 'gateway') canSign = e.verdict !== 'refused';
    } catch (err) {
      certificates.push({ role, subject: certFile, key: '?', notAfter: '', daysToExpiry: 0, chain: 'n/a', verdict: 'refused', reason: `nicht lesbar (${err instanceof Error ? err.name : 'Fehler'})` });
    }
  };
  if (config.security.required) {
    own('gateway', config.security.signingKey, config.security.signingCertificate);
    own('gateway-next', config.security.nextSigningKey, config.security.nextSigningCertificate);
  }

  for (const p of config.parties) {
    const trust: PartyTrust = {
      id: p.id, trustAnchors: p.trustAnchors.map(readPem), intermediates: p.intermediates.map(readPem), crls: p.crls.map(readPem),
      signerSubjects: p.signerSubjects, allowSha1: p.allowSha1, ...(p.legacy ? { legacy: p.legacy } : {}),
    };
    const allowance: LegacyAllowance = { ...p.legacy, sha1: p.allowSha1 };
    for (const pem of trust.trustAnchors) certificates.push(entry('anchor', pem, undefined, { party: p.id }));
    for (const pem of trust.intermediates ?? []) certificates.push(entry('intermediate', pem, undefined, { party: p.id }));
    for (const file of p.signerCertificates) {
      const pem = readPem(file);
      const e = entry('signer', pem, allowance, { party: p.id });
      try {
        await store.check(pem, [], { ...trust, signerCertificates: [pem] }, now);
        e.chain = 'ok';
      } catch (err) {
        e.chain = err instanceof RejectedMessageError ? `${err.code} ${err.detail}` : 'Fehler';
        e.verdict = 'refused';
      }
      certificates.push(e);
    }
    for (const file of p.crls) {
      const crl = parseCrl(readPem(file));
      if (crl === undefined) continue;
      const thisUpdate = crl.thisUpdate.value;
      const nextUpdate = crl.nextUpdate?.value;
      crls.push({
        party: p.id,
        issuer: crl.issuer.typesAndValues.map((t) => String(t.value.valueBlock.value)).join(', '),
        thisUpdate: thisUpdate.toISOString(),
        ageHours: Math.floor((now.getTime() - thisUpdate.getTime()) / HOUR),
        ...(nextUpdate ? { nextUpdate: nextUpdate.toISOString(), hoursToNextUpdate: Math.floor((nextUpdate.getTime() - now.getTime()) / HOUR) } : {}),
        verdict: nextUpdate !== undefined && nextUpdate.getTime() < now.getTime() ? 'refused' : 'ok',
      });
    }
  }
  return { at: now.toISOString(), policy, certificates, crls, canSign: config.security.required ? canSign : true };
}

function parseCrl(text: string): pkijs.CertificateRevocationList | undefined {
  try {
    return pkijs.CertificateRevocationList.fromBER(new Uint8Array(crlDer(text)));
  } catch {
    return undefined;
  }
}

/** The report as text for a terminal: one line per certificate and CRL. */
export function formatCryptoReport(r: CryptoReport): string {
  const lines = [
    `Richtlinie: RSA ab ${r.policy.minRsaBits} Bit, Kurven ${r.policy.curves.join(', ')}${r.policy.preferPss ? ', RSA nur PSS' : ''}`,
    `Signieren möglich: ${r.canSign ? 'ja' : 'NEIN'}`,
    '',
  ];
  for (const c of r.certificates) {
    lines.push(`${c.verdict.padEnd(8)} ${c.role.padEnd(13)} ${(c.party ?? '').padEnd(10)} ${c.key.padEnd(18)} ${String(c.daysToExpiry).padStart(5)} Tage  Kette ${c.chain}  ${c.subject}${c.reason ? `  (${c.reason})` : ''}`);
  }
  for (const c of r.crls) {
    lines.push(`${c.verdict.padEnd(8)} crl           ${c.party.padEnd(10)} Alter ${c.ageHours} h, nächste in ${c.hoursToNextUpdate ?? '?'} h  ${c.issuer}`);
  }
  return lines.join('\n');
}
