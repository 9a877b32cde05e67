import { X509Certificate } from 'node:crypto';
import type { GatewayConfig } from '../config/gateway-config.js';
import { unsignedHops, type HopSecurity } from '../security/hop-security.js';
import { PartyRegistry } from '../parties/party-registry.js';
import type { ReplayGuard } from '../security/replay-guard.js';
import { prepareSigner } from '../security/signer.js';
import { TrustStore } from '../security/trust.js';
import { WssHopSecurity } from '../security/wss-hop-security.js';
import type { ReleasePolicy } from '../routing/release-policy.js';
import { cryptoPolicyOf } from '../security/crypto-policy.js';
import { LiveMaterialError, materialReader, type LiveMaterial } from './live-material.js';

/** One generation of the live configuration, as a thread uses it. */
export interface TrustGeneration {
  parties: PartyRegistry;
  security: HopSecurity;
  /** Which XMeld release is accepted and the default, as of this generation. */
  releasePolicy: ReleasePolicy;
}

export interface TrustGenerationOptions {
  replayGuard: ReplayGuard;
  clock?: () => Date;
}

/**
 * Builds a generation from the material and checks all of it — every party's anchors, CRLs and
 * pinned certificates parse, the signing key matches its certificate, the next key matches its
 * own — so a reload that would fail later fails here, before anything is switched.
 */
export function buildTrustGeneration(config: GatewayConfig, material: LiveMaterial, opts: TrustGenerationOptions): TrustGeneration {
  const read = materialReader(material);
  let parties: PartyRegistry;
  try {
    parties = new PartyRegistry(material.parties, material.authorities, read, config.dvdv);
    const check = new TrustStore();
    for (const trust of parties.allTrust()) check.validate(trust);
  } catch (e) {
    throw e instanceof LiveMaterialError ? e : new LiveMaterialError(`trust material of the parties is not usable: ${errorText(e)}`);
  }
  if (material.nextSigning) checkSigner(read(material.nextSigning.key), read(material.nextSigning.certificate), 'security.nextSigningKey');
  const releasePolicy: ReleasePolicy = { windows: material.xmeldReleases };
  if (!config.security.required) return { parties, security: unsignedHops, releasePolicy };
  if (material.signing === undefined) {
    throw new LiveMaterialError('security.signingKey and security.signingCertificate are required when security.required is true');
  }
  const signer = {
    ...checkSigner(read(material.signing.key), read(material.signing.certificate), 'security.signingKey'),
    ...(config.security.signatureAlgorithm ? { signatureAlgorithm: config.security.signatureAlgorithm } : {}),
    digest: config.security.digestAlgorithm,
  };
  const security = new WssHopSecurity(signer, parties, {
    clockSkewSeconds: config.security.clockSkewSeconds,
    replayWindowSeconds: config.security.replayWindowSeconds,
    replayGuard: opts.replayGuard,
    cryptoPolicy: cryptoPolicyOf(config),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  return { parties, security, releasePolicy };
}

function checkSigner(privateKey: string, certificate: string, what: string): { privateKey: string; certificate: string } {
  const signer = { privateKey, certificate };
  try {
    prepareSigner(signer);
    new X509Certificate(certificate);
  } catch (e) {
    throw new LiveMaterialError(`${what}: ${errorText(e)}`);
  }
  return signer;
}

/** An error's own message, which for key and certificate parsing names no key material. */
function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
