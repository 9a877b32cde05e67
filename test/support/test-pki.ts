import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { generateTestPki, testSigner, type IdentityName, type TestPki } from '../../src/security/test-pki.js';
import { signEnvelope } from '../../src/security/wss-sign.js';

/** One throwaway TEST PKI for the whole run (made by the global setup, reused by every file). */
export function testPkiDir(): string {
  return process.env['XMELD_TEST_PKI'] ?? path.join(os.tmpdir(), 'xmeld-gateway-test-pki');
}

let pki: Promise<TestPki> | undefined;
export function loadTestPki(): Promise<TestPki> {
  pki ??= generateTestPki(testPkiDir());
  return pki;
}

/** Signs an envelope as a test identity (the mirror backend by default). */
export function signAs(p: TestPki, envelopeXml: string, name: IdentityName = 'mirror', now?: Date): string {
  return signEnvelope(envelopeXml, testSigner(p.identities[name]), now ? { now } : {});
}

/** The message with a fresh nachrichtenUUID, so replay protection sees a new delivery. */
export function withFreshUuid(message: string): { xml: string; uuid: string } {
  const uuid = randomUUID();
  return { xml: message.replace(/<nachrichtenUUID>[^<]*<\/nachrichtenUUID>/, `<nachrichtenUUID>${uuid}</nachrichtenUUID>`), uuid };
}
