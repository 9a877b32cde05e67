import type { GatewayConfig } from '../config/gateway-config.js';
import { RejectedMessageError } from '../errors.js';
import { pemReader } from '../reload/hop-security-setup.js';
import { TrustStore, type PartyTrust } from '../security/trust.js';
import { verifyAndTrust } from '../security/verify-and-trust.js';

/**
 * How `send` checks the gateway's answer, as a caller must: signed by the gateway's certificate
 * (pinned), chaining to the configured anchors. Without a gateway certificate there is nothing
 * to check against, and the verdict says so instead of pretending.
 */
export function answerTrustFrom(c: GatewayConfig, o: { gatewayCert?: string; ca?: string[] }): PartyTrust | string {
  const read = pemReader(c);
  const certFile = o.gatewayCert ?? c.security.signingCertificate;
  if (certFile === undefined) return 'nicht geprüft: kein Gateway-Zertifikat (--gateway-cert)';
  const anchors = o.ca ?? [...new Set(c.parties.flatMap((p) => p.trustAnchors))];
  if (anchors.length === 0) return 'nicht geprüft: keine Vertrauensanker (--ca)';
  return {
    id: 'gateway',
    trustAnchors: anchors.map(read),
    intermediates: [...new Set(c.parties.flatMap((p) => p.intermediates))].map(read),
    signerCertificates: [read(certFile)],
  };
}

/** The verdict line: "gültig (subject)" or "UNGÜLTIG (code: reason)". */
export async function verifyAnswer(body: string, trust: PartyTrust | string): Promise<{ ok: boolean; verdict: string }> {
  if (typeof trust === 'string') return { ok: true, verdict: trust };
  try {
    const v = await verifyAndTrust(body, () => trust, { trustStore: new TrustStore() });
    return { ok: true, verdict: `gültig (${v.signerCertificate.subject})` };
  } catch (e) {
    if (e instanceof RejectedMessageError) return { ok: false, verdict: `UNGÜLTIG (${e.code}: ${e.detail})` };
    return { ok: false, verdict: 'UNGÜLTIG (nicht lesbar)' };
  }
}
