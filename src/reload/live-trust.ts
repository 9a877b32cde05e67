import type { HopOrigin, HopSecurity, VerifiedMessage } from '../security/hop-security.js';
import type { PartyRegistry } from '../parties/party-registry.js';
import type { Envelope } from '../soap/read-envelope.js';
import type { ReleasePolicy } from '../routing/release-policy.js';
import type { TrustGeneration } from './trust-generation.js';

/**
 * The current generation of parties and signer on one thread. A switch is one assignment, so a
 * message uses the old or the new generation as a whole, never a mix; messages already being
 * verified finish with the generation they started with.
 */
export class LiveTrust implements HopSecurity {
  constructor(private current: TrustGeneration) {}

  get parties(): PartyRegistry {
    return this.current.parties;
  }

  get releasePolicy(): ReleasePolicy {
    return this.current.releasePolicy;
  }

  switchTo(next: TrustGeneration): void {
    this.current = next;
  }

  verify(raw: Buffer, envelope: Envelope, from: HopOrigin): Promise<VerifiedMessage> {
    return this.current.security.verify(raw, envelope, from);
  }

  sign(envelopeXml: string): Promise<string> {
    return this.current.security.sign(envelopeXml);
  }
}
