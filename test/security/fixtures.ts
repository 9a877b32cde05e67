/** Shared test material: the cached test PKI, sample envelopes around a real 1330, parties. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateTestPki, testSigner, type IdentityName, type TestPki } from '../../src/security/test-pki.js';
import type { PartyTrust } from '../../src/security/trust.js';
import type { SignerIdentity } from '../../src/security/signer.js';
import { NS } from '../../src/xml/namespaces.js';

export const SHARED = path.resolve(process.cwd(), '../shared');
export const PKI_DIR = path.join(os.tmpdir(), 'xmeld-gateway-security-test-pki');

let pkiPromise: Promise<TestPki> | undefined;
export function loadPki(): Promise<TestPki> {
  pkiPromise ??= generateTestPki(PKI_DIR);
  return pkiPromise;
}

const signers = new Map<string, SignerIdentity>();
export function signerOf(pki: TestPki, name: IdentityName): SignerIdentity {
  const key = `${pki.createdAt}/${name}`;
  let s = signers.get(key);
  if (!s) {
    s = testSigner(pki.identities[name]);
    signers.set(key, s);
  }
  return s;
}

/** The party that is expected to sign with identity `name`, trusting our test root. */
export function partyOf(pki: TestPki, name: IdentityName, extra: Partial<PartyTrust> = {}): PartyTrust {
  return {
    id: name,
    trustAnchors: [pki.rootCa.certPem],
    intermediates: [pki.intermediateCa.certPem],
    crls: [pki.crlPem],
    signerSubjects: [pki.identities[name].subject],
    ...extra,
  };
}

const SAMPLE_1330 = path.join(SHARED, 'xmeld/25.11a/samples/kosit-FachspezifischBehoerdenauskunft006a-1330.xml');

/** The KoSIT reference 1330 (≈29 KB) without prolog, with a fresh nachrichtenUUID. */
export function message1330(uuid: string = randomUUID()): string {
  const raw = readFileSync(SAMPLE_1330, 'utf8');
  const start = raw.indexOf('<xmeld:');
  return raw.slice(start).replace(/<nachrichtenUUID>[^<]*<\/nachrichtenUUID>/, `<nachrichtenUUID>${uuid}</nachrichtenUUID>`);
}

export interface EnvelopeOptions {
  soap?: '1.1' | '1.2';
  vorgang?: boolean;
  header?: boolean;
  body?: string;
}

export function envelope(opts: EnvelopeOptions = {}): string {
  const ns = opts.soap === '1.2' ? NS.soap12 : NS.soap11;
  const vorgang = opts.vorgang
    ? `<gw:vorgang xmlns:gw="${NS.gw}" xmlns:wsu="${NS.wsu}" wsu:Id="vorgang-1"><gw:vorgangsnummer>03-20261123-000042</gw:vorgangsnummer></gw:vorgang>`
    : '';
  const header = opts.header === false && !opts.vorgang ? '' : `<soap:Header>${vorgang}</soap:Header>`;
  return `<soap:Envelope xmlns:soap="${ns}">${header}<soap:Body>${opts.body ?? message1330()}</soap:Body></soap:Envelope>`;
}
