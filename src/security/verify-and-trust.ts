/**
 * The inbound order of checks for one hop: envelope and signature (wss-verify) → party from the
 * signed message → signer trust for that party (trust) → SHA-1 opt-in of that party → replay
 * (only for authenticated messages, so forged traffic cannot fill the replay store).
 */
import type { XmlDocument } from 'libxml2-wasm';
import { RejectedMessageError } from '../errors.js';
import { ReplayGuardUnavailableError, type ReplayGuard } from './replay-guard.js';
import { defaultTrustStore, type PartyTrust, type TrustResult, type TrustStore } from './trust.js';
import type { CertificateInfo } from './cert-info.js';
import {
  DEFAULT_CRYPTO_POLICY, combine, judgeAlgorithms, judgeKey,
  type CryptoPolicy, type LegacyAllowance, type LegacyUse, type PolicyVerdict,
} from './crypto-policy.js';
import { verifyEnvelope, type VerifiedEnvelope, type VerifyPolicy } from './wss-verify.js';

/** The sender as the message names it and the certificate it presents (before digests are checked). */
export interface SignerClaim {
  certificate: CertificateInfo;
  autorKennung?: string;
}

export interface VerifyAndTrustOptions {
  now?: Date;
  policy?: VerifyPolicy;
  /** Replay store; without one, no replay check is made. */
  replayGuard?: ReplayGuard;
  /** Minimum replay window (default: until Timestamp Expires + skew). */
  replayWindowSeconds?: number;
  trustStore?: TrustStore;
  /** Set when some configured party allows SHA-1; the party's own flag is then enforced. */
  anySha1Party?: boolean;
  /** Algorithms and key sizes a signature must meet (default: the 2026 policy). */
  cryptoPolicy?: CryptoPolicy;
}

export interface TrustedEnvelope extends VerifiedEnvelope {
  party: PartyTrust;
  trust: TrustResult;
  /** Legacy allowances of the party this signature needed (empty: within the policy). */
  legacy: LegacyUse[];
}

/** A signature outside the crypto policy: T011, naming what (never content). */
function policyRefusal(v: PolicyVerdict): void {
  if (!v.ok) throw new RejectedMessageError('T011', v.reason);
}

export async function verifyAndTrust(
  envelope: string | Uint8Array | XmlDocument,
  resolveParty: (signer: SignerClaim) => PartyTrust | undefined,
  opts: VerifyAndTrustOptions = {},
): Promise<TrustedEnvelope> {
  const now = opts.now ?? new Date();
  const policy: VerifyPolicy = { ...opts.policy, allowSha1: opts.anySha1Party === true || opts.policy?.allowSha1 === true };
  const store = opts.trustStore ?? defaultTrustStore;
  // Sender and certificate are checked cheaply before any digest; the full chain after.
  const crypto = opts.cryptoPolicy ?? DEFAULT_CRYPTO_POLICY;
  let party: PartyTrust | undefined;
  let keyVerdict: PolicyVerdict = { ok: true, legacy: [] };
  const allowanceOf = (p: PartyTrust): LegacyAllowance => ({ ...p.legacy, sha1: p.allowSha1 === true });
  const v = verifyEnvelope(envelope, policy, {
    now,
    admit: (signer) => {
      party = resolveParty(signer);
      if (party === undefined) throw new RejectedMessageError('T070', 'Absender unbekannt');
      store.precheck(signer.certificate, party, now);
      // A key below the policy costs nothing to refuse: before any digest.
      keyVerdict = judgeKey(crypto, allowanceOf(party), signer.certificate.key);
      policyRefusal(keyVerdict);
    },
  });
  if (party === undefined) throw new RejectedMessageError('T070', 'Absender unbekannt');
  const trust = await store.check(v.signerCertificate.pem, [], party, now);
  const verdict = combine(keyVerdict, judgeAlgorithms(crypto, allowanceOf(party), v.algorithms));
  policyRefusal(verdict);
  const legacy = verdict.ok ? verdict.legacy : [];

  if (opts.replayGuard) {
    if (v.nachrichtenUUID === undefined || v.nachrichtenUUID === '') {
      throw new RejectedMessageError('S030', 'nachrichtenUUID fehlt');
    }
    const skewMs = (opts.policy?.clockSkewSeconds ?? 300) * 1000;
    const until = Math.max(v.timestamp.expires.getTime() + skewMs, now.getTime() + (opts.replayWindowSeconds ?? 0) * 1000);
    let seen: boolean;
    try {
      seen = await opts.replayGuard.seen(v.nachrichtenUUID, new Date(until), v.timestamp.created);
    } catch (e) {
      if (!(e instanceof ReplayGuardUnavailableError)) throw e;
      throw new RejectedMessageError('S999', 'Replay-Schutz vorübergehend nicht verfügbar', 'receiver');
    }
    if (seen) throw new RejectedMessageError('S100', 'Nachricht bereits zugestellt');
  }
  return { ...v, party, trust, legacy };
}
