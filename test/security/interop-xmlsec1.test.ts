/**
 * Interop: xmlsec1 (libxmlsec1, OpenSSL) must accept our signatures. Skipped only when xmlsec1
 * is not installed (CI installs it: apt-get install -y xmlsec1).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NS } from '../../src/xml/namespaces.js';
import type { IdentityName, TestPki } from '../../src/security/test-pki.js';
import { signEnvelope } from '../../src/security/wss-sign.js';
import { envelope, loadPki, signerOf } from './fixtures.js';

function hasXmlsec1(): boolean {
  try {
    execFileSync('xmlsec1', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let pki: TestPki;
const dir = mkdtempSync(path.join(os.tmpdir(), 'xmlsec1-interop-'));

function xmlsecVerify(xml: string, signer: IdentityName): { status: number | null; out: string } {
  const file = path.join(dir, `${signer}-${Math.random().toString(36).slice(2)}.xml`);
  const cert = path.join(dir, `${signer}.cert.pem`);
  writeFileSync(file, xml);
  writeFileSync(cert, pki.identities[signer].certPem);
  const ids = [`${NS.soap11}:Body`, `${NS.soap12}:Body`, `${NS.wsu}:Timestamp`, `${NS.gw}:vorgang`].flatMap((n) => ['--id-attr:Id', n]);
  const r = spawnSync('xmlsec1', ['--verify', '--pubkey-cert-pem', cert, ...ids, file], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!hasXmlsec1() && process.env['CI'] === undefined)('xmlsec1 accepts our WS-Security signatures', () => {
  beforeAll(async () => {
    pki = await loadPki();
  }, 60_000);

  it.each([
    ['1.1', 'gateway'],        // the gateway's own key: ECDSA P-256
    ['1.2', 'gateway'],
    ['1.1', 'mirror'],         // RSA-3072
    ['1.2', 'mirror'],
    ['1.1', 'land-05'],
    ['1.2', 'land-05'],
  ] as const)('SOAP %s signed by %s (ECDSA P-256 / RSA-3072)', (soap, signer) => {
    const xml = signEnvelope(envelope({ soap, vorgang: true }), signerOf(pki, signer));
    const r = xmlsecVerify(xml, signer);
    expect(r.out).toContain('SignedInfo References (ok/all): 3/3');
    expect(r.status).toBe(0);
  });

  it('and refuses a tampered one (the check can fail)', () => {
    const xml = signEnvelope(envelope({ vorgang: true }), signerOf(pki, 'gateway')).replace('03-20261123-000042', '03-20261123-000099');
    expect(xmlsecVerify(xml, 'gateway').status).not.toBe(0);
  });

  it.each([
    'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
    'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  ])('RSA-3072 with %s and SHA-512 digests', (alg) => {
    const xml = signEnvelope(envelope({ vorgang: true }), { ...signerOf(pki, 'mirror'), signatureAlgorithm: alg, digest: 'sha512' });
    const r = xmlsecVerify(xml, 'mirror');
    expect(r.out).toContain('SignedInfo References (ok/all): 3/3');
    expect(r.status).toBe(0);
  });
});
