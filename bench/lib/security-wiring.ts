/**
 * WS-Security for the bench, built only from the project's public security API (src/security):
 * the test PKI, signEnvelope, verifyAndTrust with a TrustStore. Used as the simulator's
 * SimulatorSecurity (registers sign with ECDSA P-256, as the test PKI's Länder do) and as the
 * gateway's configuration when config/default.yaml carries no keys.
 */
import os from 'node:os';
import path from 'node:path';
import { TrustStore, type PartyTrust } from '../../src/security/trust.js';
import { signEnvelope } from '../../src/security/wss-sign.js';
import { verifyAndTrust } from '../../src/security/verify-and-trust.js';
import { type SignerIdentity } from '../../src/security/signer.js';
import { generateTestPki, testSigner, type TestPki } from '../../src/security/test-pki.js';
import type { SimulatorSecurity } from '../../src/simulator/server.js';

export const BENCH_PKI_DIR = path.join(os.tmpdir(), 'xmeld-gateway-bench-pki');

export function loadBenchPki(dir: string = BENCH_PKI_DIR): Promise<TestPki> {
  return generateTestPki(dir);
}

export function party(pki: TestPki, id: string, subjects: string[]): PartyTrust {
  return {
    id,
    trustAnchors: [pki.rootCa.certPem],
    intermediates: [pki.intermediateCa.certPem],
    crls: [pki.crlPem],
    signerSubjects: subjects,
  };
}

export function landSubjects(pki: TestPki): string[] {
  return Object.values(pki.identities).filter((i) => i.name.startsWith('land-')).map((i) => i.subject);
}

/** The simulated registers' side: verify the gateway's request, sign answers as land-NN (P-256). */
export function benchSimulatorSecurity(pki: TestPki): SimulatorSecurity {
  const signers = new Map<string, SignerIdentity>();
  const signerOf = (land: string | undefined): SignerIdentity => {
    const name = `land-${land ?? '09'}` as keyof TestPki['identities'];
    let s = signers.get(name);
    if (!s) {
      s = testSigner(pki.identities[name] ?? pki.identities['land-09']);
      signers.set(name, s);
    }
    return s;
  };
  const gw = party(pki, 'gateway', [pki.identities.gateway.subject]);
  const trustStore = new TrustStore();
  return {
    async verifyRequest(raw) {
      await verifyAndTrust(raw, () => gw, { trustStore });
    },
    signResponse: async (xml: string, register?: string) => signEnvelope(xml, signerOf(register)),
  } as SimulatorSecurity;
}

/** Signs requests as the mirror backend (RSA-2048), the caller of the gateway. */
export function mirrorSigner(pki: TestPki): SignerIdentity {
  return testSigner(pki.identities.mirror);
}

/** config.security for the bench's test PKI (`${PKI}` = that directory). */
export function benchSecurityConfig(dir: string): Record<string, unknown> {
  return {
    required: true,
    testPki: dir,
    signingKey: '${PKI}/gateway.TEST-KEY.pem',
    signingCertificate: '${PKI}/gateway.cert.pem',
  };
}

const TRUST = {
  trustAnchors: ['${PKI}/XMeld-Test-Root-CA.cert.pem'],
  intermediates: ['${PKI}/XMeld-Test-Signing-CA.cert.pem'],
  crls: ['${PKI}/intermediate.crl.pem'],
  signerCertificates: [] as string[],
  allowSha1: false,
  suspended: false,
};

/** config.parties: the mirror backend sends for everyone; each Land's register answers for itself. */
export function benchParties(): unknown[] {
  const lands = Array.from({ length: 16 }, (_, i) => String(i + 1).padStart(2, '0'));
  return [
    { id: 'mirror', signsFor: ['*'], messages: ['1330', '1332'], answersFor: ['mirror'], signerSubjects: [], ...TRUST,
      signerCertificates: ['${PKI}/mirror.cert.pem', '${PKI}/land-03.cert.pem'] },
    ...lands.map((l) => ({
      id: `land-${l}`, signsFor: [], messages: [], answersFor: [`land:${l}`], signerSubjects: [], ...TRUST,
      signerCertificates: [`\${PKI}/land-${l}.cert.pem`],
    })),
  ];
}
