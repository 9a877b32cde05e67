import { verifyAndTrust } from '../security/verify-and-trust.js';
import { InMemoryReplayGuard } from '../security/replay-guard.js';
import { testSigner, type TestPki } from '../security/test-pki.js';
import type { PartyTrust } from '../security/trust.js';
import { signEnvelope } from '../security/wss-sign.js';
import { VORGANG_ELEMENT_ID } from '../soap/write-envelope.js';
import type { SimulatorSecurity } from './server.js';

/**
 * The simulated registers check requests and sign answers like real ones: a request must be
 * signed by the gateway (chain to the test root, the pinned gateway certificate, fresh, not
 * replayed); each Land answers with its own test key.
 */
export function simulatorSecurity(pki: TestPki): SimulatorSecurity {
  const gateway: PartyTrust = {
    id: 'gateway',
    trustAnchors: [pki.rootCa.certPem],
    intermediates: [pki.intermediateCa.certPem],
    crls: [pki.crlPem],
    signerCertificates: [pki.identities.gateway.certPem],
  };
  const replayGuard = new InMemoryReplayGuard();
  const signers = new Map<string, ReturnType<typeof testSigner>>();
  return {
    async verifyRequest(envelope) {
      await verifyAndTrust(envelope, () => gateway, { replayGuard });
    },
    async signResponse(xml, register) {
      const name = `land-${register}` as const;
      let signer = signers.get(name);
      if (signer === undefined) {
        signer = testSigner(pki.identities[name]);
        signers.set(name, signer);
      }
      const vorgang = xml.includes(`wsu:Id="${VORGANG_ELEMENT_ID}"`);
      return signEnvelope(xml, signer, vorgang ? { vorgangElementId: VORGANG_ELEMENT_ID } : {});
    },
  };
}
