import { XmlDocument } from 'libxml2-wasm';
import { dvdvFingerprint } from './cert-fingerprint.js';
import type { HopOrigin, HopSecurity, VerifiedMessage } from './hop-security.js';
import type { Envelope } from '../soap/read-envelope.js';
import { VORGANG_ELEMENT_ID } from '../soap/write-envelope.js';
import type { ReplayGuard } from './replay-guard.js';
import { prepareSigner, type SignerIdentity } from './signer.js';
import { TrustStore, type PartyTrust } from './trust.js';
import type { CertificateInfo } from './cert-info.js';
import type { CryptoPolicy } from './crypto-policy.js';
import { verifyAndTrust } from './verify-and-trust.js';
import { signEnvelope } from './wss-sign.js';

export interface WssHopSecurityOptions {
  clockSkewSeconds: number;
  replayWindowSeconds: number;
  replayGuard: ReplayGuard;
  clock?: () => Date;
  /** What signatures must meet (default: the 2026 policy). */
  cryptoPolicy?: CryptoPolicy;
}

/**
 * Contract §4 on every hop: callers' messages must be signed by a party that may send for
 * their autor, registers' answers by the party configured for that register; the gateway signs
 * everything it sends with its own key. Only the signed message is handed on.
 */
/**
 * Who the parties are, as the hop security asks it (the party registry answers). Owned here, so
 * that security needs nothing above it.
 */
export interface SenderParties {
  /** The party a caller's message speaks for: by its autor and the signer certificate. */
  partyForCaller(autorKennung: string | undefined, signer: CertificateInfo): PartyTrust | undefined;
  /** The party whose certificates sign a register's answers. */
  partyForTarget(target: string): PartyTrust | undefined;
  /** The same, for a register found in the DVDV: only the certificates it publishes there. */
  partyForDirectoryTarget(target: string, certificates: readonly string[]): PartyTrust | undefined;
  /** Whether the party is admitted by its DVDV category (checked after the signature). */
  admitsByCategory(partyId: string): boolean;
  /** Whether any party may still use SHA-1 (so SHA-1 is parsed at all). */
  anyAllowsSha1(): boolean;
}

export class WssHopSecurity implements HopSecurity {
  private readonly trustStore = new TrustStore();
  private readonly clock: () => Date;

  constructor(private readonly signer: SignerIdentity, private readonly parties: SenderParties, private readonly opts: WssHopSecurityOptions) {
    prepareSigner(signer); // a key that does not match its certificate fails at start, not per request
    this.clock = opts.clock ?? (() => new Date());
  }

  async verify(_raw: Buffer, envelope: Envelope, from: HopOrigin): Promise<VerifiedMessage> {
    // The tree the hop parsed (hardened) once: verification works on it, not on a second parse.
    const trusted = await verifyAndTrust(
      envelope.body.doc,
      (signer) => from.hop === 'caller'
        ? this.parties.partyForCaller(signer.autorKennung, signer.certificate)
        : from.directoryCertificates !== undefined
          ? this.parties.partyForDirectoryTarget(from.target, from.directoryCertificates)
          : this.parties.partyForTarget(from.target),
      {
        now: this.clock(),
        policy: { clockSkewSeconds: this.opts.clockSkewSeconds },
        replayGuard: this.opts.replayGuard,
        replayWindowSeconds: this.opts.replayWindowSeconds,
        trustStore: this.trustStore,
        anySha1Party: this.parties.anyAllowsSha1(),
        ...(this.opts.cryptoPolicy ? { cryptoPolicy: this.opts.cryptoPolicy } : {}),
      },
    );
    // The canonical signed message, parsed on its own: nothing outside the signature survives.
    const doc = XmlDocument.fromString(trusted.messageXml);
    const byCategory = from.hop === 'caller' && this.parties.admitsByCategory(trusted.party.id);
    return {
      message: doc.root,
      partyId: trusted.party.id,
      ...(trusted.legacy.length > 0 ? { legacy: trusted.legacy } : {}),
      ...(byCategory ? { categoryFingerprint: dvdvFingerprint(trusted.signerCertificate.pem) } : {}),
      release: () => doc.dispose(),
    };
  }

  async sign(envelopeXml: string): Promise<string> {
    const hasVorgang = envelopeXml.includes(`wsu:Id="${VORGANG_ELEMENT_ID}"`);
    return signEnvelope(envelopeXml, this.signer, {
      now: this.clock(),
      ...(hasVorgang ? { vorgangElementId: VORGANG_ELEMENT_ID } : {}),
    });
  }
}
