import { X509Certificate } from 'node:crypto';
import type { AuthorityConfig, DvdvConfig, PartyConfig } from '../config/gateway-config.js';
import { derToPem } from '../security/cert-info.js';
import { RejectedMessageError } from '../errors.js';
import type { PartyTrust } from '../security/trust.js';
import type { CertificateInfo } from '../security/cert-info.js';
import type { QueryMessage } from '../xmeld/query-message.js';
import { matchesKennung } from './kennung-pattern.js';
import { SubjectMatcher } from '../security/distinguished-name.js';

interface Party {
  config: PartyConfig;
  trust: PartyTrust;
  /** SHA-256 fingerprints (lower-case hex) of the pinned signer certificates. */
  pinned: Set<string>;
  /** The configured signer subjects, compared as distinguished names. */
  subjects: SubjectMatcher;
  /** SHA-256 fingerprint of the bound TLS client certificate. */
  clientCertificate?: string;
}

/**
 * Who may send what, and whose signature the gateway expects on each hop: the configured
 * parties (mirror backend, Land endpoints, authorities' systems) with their trust material,
 * and the registered authorities. The operator cuts a party or an authority off by setting
 * `suspended` (T070 at once on the next request after a reload).
 */
export class PartyRegistry {
  private readonly parties: Party[];
  private readonly authorities: Map<string, AuthorityConfig>;
  /** Anchors for registers found in the DVDV that no configured party answers for. */
  private readonly directoryAnchors: PartyTrust | undefined;
  /** Trust per (target, published certificates), kept so parsed material and decisions are reused. */
  private readonly directoryTrust = new Map<string, PartyTrust>();

  constructor(parties: PartyConfig[], authorities: AuthorityConfig[], readPem: (file: string) => string, dvdv?: DvdvConfig) {
    this.parties = parties.map((config) => {
      const signerCertificates = config.signerCertificates.map(readPem);
      const trust: PartyTrust = {
        id: config.id,
        trustAnchors: config.trustAnchors.map(readPem),
        intermediates: config.intermediates.map(readPem),
        crls: config.crls.map(readPem),
        signerCertificates,
        signerSubjects: config.signerSubjects,
        allowSha1: config.allowSha1,
        ...(config.legacy ? { legacy: { ...config.legacy } } : {}),
        ...(config.admitByCategory ? { signerFromDirectory: true } : {}),
      };
      const party: Party = { config, trust, pinned: new Set(signerCertificates.map(fingerprint)), subjects: new SubjectMatcher(config.signerSubjects) };
      if (config.clientCertificate !== undefined) party.clientCertificate = fingerprint(readPem(config.clientCertificate));
      return party;
    });
    this.authorities = new Map(authorities.map((a) => [a.kennung, a]));
    this.directoryAnchors = dvdv === undefined || dvdv.trustAnchors.length === 0 ? undefined : {
      id: 'dvdv',
      trustAnchors: dvdv.trustAnchors.map(readPem),
      intermediates: dvdv.intermediates.map(readPem),
      crls: dvdv.crls.map(readPem),
    };
  }

  /**
   * The party a caller's message must be signed by: among the parties that may send for its
   * autor, the one whose configured signer the certificate is (else the first, so that trust
   * fails with T070 "not the configured signer").
   */
  partyForCaller(autorKennung: string | undefined, signer: CertificateInfo): PartyTrust | undefined {
    if (autorKennung === undefined) return undefined;
    const candidates = this.parties.filter((p) => p.config.signsFor.some((pattern) => matchesKennung(pattern, autorKennung)));
    const own = candidates.find((p) => p.pinned.has(signer.fingerprintSha256) || p.subjects.has(signer.subject));
    // A party admitted by DVDV category comes after any whose pinned signer this is.
    return (own ?? candidates.find((p) => p.config.admitByCategory === true) ?? candidates[0])?.trust;
  }

  /** Whether this party's callers must be in the DVDV category (checked after the signature). */
  admitsByCategory(partyId: string): boolean {
    return this.parties.some((p) => p.config.id === partyId && p.config.admitByCategory === true);
  }

  /**
   * The trust for an answer of a register found in the DVDV: signed with one of the certificates
   * the DVDV publishes for it (base64 DER), chaining to the anchors of the party configured for
   * the target, else to `dvdv.trustAnchors`. No pinned certificate or subject of config applies.
   */
  partyForDirectoryTarget(target: string, certificates: readonly string[]): PartyTrust | undefined {
    const base = this.partyForTarget(target) ?? this.directoryAnchors;
    if (base === undefined) return undefined;
    const key = `${target}|${certificates.join(',')}`;
    let trust = this.directoryTrust.get(key);
    if (trust === undefined) {
      if (this.directoryTrust.size >= 256) this.directoryTrust.clear(); // certificates replaced over time
      const { signerFromDirectory: _ignored, ...anchors } = base;
      trust = { ...anchors, signerCertificates: certificates.map((b64) => derToPem(Buffer.from(b64, 'base64'))), signerSubjects: [] };
      this.directoryTrust.set(key, trust);
    }
    return trust;
  }

  /** The XMeld releases a party's registration names (undefined: every accepted one). */
  releasesOf(partyId: string): PartyConfig['xmeldReleases'] {
    return this.parties.find((p) => p.config.id === partyId)?.config.xmeldReleases;
  }

  /**
   * Whether any party is granted SHA-1 (legacy): only then does the verifier accept a SHA-1
   * signature at all, and then only from a party whose own entry allows it.
   */
  anyAllowsSha1(): boolean {
    return this.parties.some((p) => p.config.allowSha1);
  }

  /** The party whose signature a register's answer must carry. */
  partyForTarget(target: string): PartyTrust | undefined {
    return this.parties.find((p) => p.config.answersFor.includes(target))?.trust;
  }

  /**
   * Entitlement of a verified caller (T070): the party is not suspended, may send this message
   * type, presented its bound client certificate; the authority is not suspended and, where
   * its registration lists admissible occasions (e.g. a gesetzliche Krankenkasse), asks for one.
   */
  checkCaller(partyId: string, query: QueryMessage, clientCertificate: string | undefined): void {
    const party = this.parties.find((p) => p.config.id === partyId);
    if (party === undefined || party.config.suspended) throw new RejectedMessageError('T070', 'Absender gesperrt');
    if (!party.config.messages.includes(query.number)) throw new RejectedMessageError('T070', 'Nachrichtentyp für diesen Absender nicht zugelassen');
    if (party.clientCertificate !== undefined && party.clientCertificate !== clientCertificate) {
      throw new RejectedMessageError('T070', 'Client-Zertifikat fehlt oder passt nicht');
    }
    const authority = this.authorities.get(query.autor.kennung);
    if (authority?.suspended === true) throw new RejectedMessageError('T070', 'Abrufende Stelle gesperrt');
    if (authority?.anlaesse !== undefined) {
      const anlass = query.datenAbrufendeStelle.anlassDesAbrufs;
      if (anlass === undefined || !authority.anlaesse.includes(anlass)) {
        throw new RejectedMessageError('T070', 'Anlass für diese abrufende Stelle nicht zugelassen');
      }
    }
  }

  /** Every party's trust material (a reload validates it before it switches). */
  allTrust(): PartyTrust[] {
    return this.parties.map((p) => p.trust);
  }

  authority(kennung: string): AuthorityConfig | undefined {
    return this.authorities.get(kennung);
  }
}

function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
}
