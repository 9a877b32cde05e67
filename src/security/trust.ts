/**
 * Trust in a signer certificate, per party (contract §4): chains to the party's anchors
 * (pkijs CertificateChainValidationEngine: path, CA flags, validity of the CAs), leaf within its
 * validity, digitalSignature key usage, not revoked per the party's CRLs, and the configured
 * signer of that party (pinned certificate or subject).
 *
 * RTS codes: T000 leaf (or a CA of its chain) expired / not yet valid; T002 no valid chain,
 * missing digitalSignature, unreadable certificate, stale CRL; T001 revoked; T070 valid
 * certificate that is not the configured signer of the party.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { RejectedMessageError } from '../errors.js';
import { dnStrings, type CertificateInfo } from './cert-info.js';
import { pkijs, x509 } from './x509-setup.js';
import { SubjectMatcher } from './distinguished-name.js';

export interface PartyTrust {
  id: string;
  /** Trust anchors (PEM). */
  trustAnchors: string[];
  /** Intermediate CA certificates (PEM) used to build the path. */
  intermediates?: string[];
  /** CRLs (PEM or DER). A CRL applies to the certificates its issuer signed. */
  crls?: Array<string | Uint8Array>;
  /** Pinned signer certificates (PEM); the leaf must equal one of them… */
  signerCertificates?: string[];
  /**
   * …or carry one of these subjects, compared as distinguished names (distinguished-name.ts):
   * RFC 4514 order ("CN=land-05,OU=TEST,O=…,C=DE" as `openssl -nameopt RFC2253` prints it) or
   * the certificate's own order, either works.
   */
  signerSubjects?: string[];
  /**
   * 'required' (default, contract §4): the leaf must have KeyUsage with digitalSignature.
   * 'if-present': a leaf without the KeyUsage extension is accepted (RFC 5280: unrestricted);
   * only for legacy signers.
   */
  keyUsage?: 'required' | 'if-present';
  /** Accept SHA-1 signatures from this party (legacy); default false. */
  allowSha1?: boolean;
  /** Legacy allowances beyond the crypto policy (RSA below its minimum, PKCS#1 v1.5). */
  legacy?: { rsaBits?: number; pkcs1?: boolean };
  /**
   * The signer is decided by the directory (DVDV category of a caller), not here: any
   * certificate passing the other checks is accepted, and the caller must check the category.
   */
  signerFromDirectory?: boolean;
}

export interface TrustResult {
  partyId: string;
  /** Subjects from the leaf up to the anchor. */
  path: string[];
}

interface PreparedParty {
  anchors: pkijs.Certificate[];
  anchorDer: Buffer[];
  intermediates: pkijs.Certificate[];
  crls: pkijs.CertificateRevocationList[];
  pinnedDer: Buffer[];
  /** Subjects of the anchors and intermediates: who may have issued a leaf (cheap pre-check). */
  issuers: Set<string>;
  anchorFingerprints: Set<string>;
  subjects: SubjectMatcher;
  /** Positive decisions by the leaf certificate (PEM text): valid while notBefore <= now < until. */
  cache: Map<string, { notBefore: number; until: number; result: TrustResult }>;
}

function pemBlocks(text: string, label: string): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...text.matchAll(re)].map((m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
}

function certDer(pemOrDer: string | Uint8Array): Buffer {
  if (typeof pemOrDer !== 'string') return Buffer.from(pemOrDer);
  const [der] = pemBlocks(pemOrDer, 'CERTIFICATE');
  if (der === undefined) throw new Error('no PEM certificate');
  return der;
}

function toPkijs(der: Buffer): pkijs.Certificate {
  return pkijs.Certificate.fromBER(new Uint8Array(der));
}

/** DER of a CRL given as PEM (`X509 CRL` or `CRL`), base64 text or bytes. */
export function crlDer(value: string | Uint8Array): Buffer {
  if (typeof value !== 'string') return Buffer.from(value);
  // RFC 7468 says "X509 CRL"; some tools write "CRL".
  const [der] = [...pemBlocks(value, 'X509 CRL'), ...pemBlocks(value, 'CRL')];
  return der ?? Buffer.from(value.replace(/\s+/g, ''), 'base64');
}

function reject(code: 'T000' | 'T001' | 'T002' | 'T070', detail: string, side: 'sender' | 'receiver' = 'sender'): never {
  throw new RejectedMessageError(code, detail, side);
}

export class TrustStore {
  private readonly prepared = new WeakMap<PartyTrust, PreparedParty>();

  constructor(private readonly cacheTtlMs = 10 * 60_000) {}

  private prepare(party: PartyTrust): PreparedParty {
    let p = this.prepared.get(party);
    if (p) return p;
    const anchorDer = party.trustAnchors.map(certDer);
    const intermediateDer = (party.intermediates ?? []).map(certDer);
    const pinnedDer = (party.signerCertificates ?? []).map(certDer);
    p = {
      anchors: anchorDer.map(toPkijs),
      anchorDer,
      intermediates: intermediateDer.map(toPkijs),
      crls: (party.crls ?? []).map((c) => pkijs.CertificateRevocationList.fromBER(new Uint8Array(crlDer(c)))),
      pinnedDer,
      issuers: new Set([...anchorDer, ...intermediateDer].map((d) => dnStrings(d).subject)),
      anchorFingerprints: new Set(anchorDer.map(fingerprint)),
      subjects: new SubjectMatcher(party.signerSubjects ?? []),
      cache: new Map(),
    };
    this.prepared.set(party, p);
    return p;
  }

  /**
   * The checks that cost no cryptography, made before the message's digests, in check()'s order
   * so a refusal names the same code either way: the leaf within its validity (T000), issued —
   * by name — by one of the party's anchors or intermediates (T002; check() then proves the
   * chain). Whether it is the party's configured signer (T070) stays with check(): a defect of
   * the certificate itself (revoked, wrong key usage) is named before that.
   */
  precheck(leaf: CertificateInfo, party: PartyTrust, now: Date): void {
    const p = this.prepare(party);
    const t = now.getTime();
    if (t < leaf.notBefore.getTime() || t > leaf.notAfter.getTime()) reject('T000', 'Zertifikat abgelaufen oder noch nicht gültig');
    if (p.anchorFingerprints.has(leaf.fingerprintSha256)) return;
    if (!p.issuers.has(leaf.issuer)) reject('T002', 'Zertifikatskette ungültig: Aussteller nicht vertraut');
  }

  /** Parses the party's anchors, intermediates, CRLs and pinned certificates; throws on unreadable material (a reload checks this before it switches). */
  validate(party: PartyTrust): void {
    this.prepare(party);
  }

  /** Throws RejectedMessageError unless certPem is a trusted, configured signer of party at now. */
  async check(certPem: string, chainFromMessage: string[], party: PartyTrust, now: Date): Promise<TrustResult> {
    const p = this.prepare(party);
    const t = now.getTime();
    // Keyed by the certificate text: a cached decision costs no certificate parsing.
    const hit = p.cache.get(certPem);
    if (hit && t >= hit.notBefore && t < hit.until) return hit.result;
    let der: Buffer;
    let leaf: X509Certificate;
    try {
      der = certDer(certPem);
      leaf = new X509Certificate(der);
    } catch {
      return reject('T002', 'Zertifikat nicht lesbar');
    }

    const notBefore = new Date(leaf.validFrom).getTime();
    const notAfter = new Date(leaf.validTo).getTime();
    if (t < notBefore || t > notAfter) reject('T000', 'Zertifikat abgelaufen oder noch nicht gültig');

    const parsed = new x509.X509Certificate(der);
    const ku = parsed.getExtension(x509.KeyUsagesExtension);
    const kuMissingOk = ku === null && party.keyUsage === 'if-present';
    if (!kuMissingOk && (ku === null || (ku.usages & x509.KeyUsageFlags.digitalSignature) === 0)) {
      reject('T002', 'Schlüsselverwendung digitalSignature fehlt');
    }

    let path: pkijs.Certificate[];
    let crlUntil = Number.POSITIVE_INFINITY;
    if (p.anchorDer.some((a) => a.equals(der))) {
      path = [toPkijs(der)]; // the leaf itself is configured as anchor
    } else {
      const engine = new pkijs.CertificateChainValidationEngine({
        trustedCerts: p.anchors,
        // pkijs validates the path of the LAST certificate of trustedCerts ++ certs (after
        // dropping duplicates), so the leaf goes last and the result is checked to start with it.
        certs: [...p.intermediates, ...chainFromMessage.map((c) => toPkijs(certDer(c))), toPkijs(der)],
        checkDate: now,
      });
      const res = await engine.verify();
      if (!res.result) {
        // 8 = a certificate of the path is outside its validity (the leaf was checked above).
        reject(res.resultCode === 8 ? 'T000' : 'T002', 'Zertifikatskette ungültig');
      }
      path = res.certificatePath ?? [];
      const first = path[0];
      if (first === undefined || !Buffer.from(first.toSchema().toBER()).equals(der)) {
        reject('T002', 'Zertifikatskette ungültig');
      }
      crlUntil = await this.checkRevocation(p, path, now);
    }

    const pinned = p.pinnedDer.some((d) => d.equals(der));
    const subjectOk = p.subjects.has(parsed.subject);
    if (!pinned && !subjectOk && party.signerFromDirectory !== true) reject('T070', 'Zertifikat gehört nicht zum Absender');

    const result: TrustResult = { partyId: party.id, path: path.map((c) => dnStrings(new Uint8Array(c.toSchema().toBER())).subject) };
    p.cache.set(certPem, { notBefore, until: Math.min(notAfter, crlUntil, t + this.cacheTtlMs), result });
    return result;
  }

  /** Checks every non-anchor certificate against the configured CRLs of its issuer. */
  private async checkRevocation(p: PreparedParty, path: pkijs.Certificate[], now: Date): Promise<number> {
    let until = Number.POSITIVE_INFINITY;
    for (let i = 0; i + 1 < path.length; i++) {
      const cert = path[i]!;
      const issuer = path[i + 1]!;
      for (const crl of p.crls) {
        if (!crl.issuer.isEqual(issuer.subject)) continue;
        if (!(await crl.verify({ issuerCertificate: issuer }))) continue; // not this issuer's CRL
        const next = crl.nextUpdate?.value.getTime();
        if (next !== undefined && next < now.getTime()) reject('T002', 'Sperrliste veraltet', 'receiver');
        if (crl.isCertificateRevoked(cert)) reject('T001', 'Zertifikat gesperrt');
        if (next !== undefined) until = Math.min(until, next);
      }
    }
    return until;
  }
}

/** A process-wide TrustStore (parsed party material and decisions cached). */
export const defaultTrustStore = new TrustStore();

export function checkSignerTrust(certPem: string, chainFromMessage: string[], party: PartyTrust, now: Date = new Date()): Promise<TrustResult> {
  return defaultTrustStore.check(certPem, chainFromMessage, party, now);
}

function fingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}
