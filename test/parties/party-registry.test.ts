import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XmlDocument } from 'libxml2-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type GatewayConfig } from '../../src/config/gateway-config.js';
import { RejectedMessageError } from '../../src/errors.js';
import { PartyRegistry } from '../../src/parties/party-registry.js';
import { pemReader } from '../../src/reload/hop-security-setup.js';
import { certificateInfo } from '../../src/security/cert-info.js';
import type { TestPki } from '../../src/security/test-pki.js';
import { readQuery } from '../../src/xmeld/read-query.js';
import type { QueryMessage } from '../../src/xmeld/query-message.js';
import { fixturesDir, projectRoot } from '../support/paths.js';
import { loadTestPki, testPkiDir } from '../support/test-pki.js';

let pki: TestPki;
let config: GatewayConfig;

beforeAll(async () => {
  pki = await loadTestPki();
  config = loadConfig(path.join(projectRoot, 'config/default.yaml'), {});
  config.security = { ...config.security, testPki: testPkiDir() };
});

function registry(change: (c: GatewayConfig) => void = () => undefined): PartyRegistry {
  const c: GatewayConfig = structuredClone(config);
  change(c);
  return new PartyRegistry(c.parties, c.authorities, pemReader(c), c.dvdv);
}

function query(file: string, edit: (xml: string) => string = (x) => x): QueryMessage {
  const doc = XmlDocument.fromString(edit(readFileSync(path.join(fixturesDir, 'queries', file), 'utf8')));
  try {
    return readQuery(doc.root, file.startsWith('1332') ? '1332' : '1330');
  } finally {
    doc.dispose();
  }
}

const signer = (name: keyof TestPki['identities']) => certificateInfo(new X509Certificate(pki.identities[name].certPem));

/** The T070 text a check throws, or 'admitted'. */
function verdict(run: () => void): string {
  try {
    run();
    return 'admitted';
  } catch (e) {
    if (e instanceof RejectedMessageError) return `${e.code} ${e.detail}`;
    throw e;
  }
}

describe('PartyRegistry: who may send, and whose signature each hop carries', () => {
  it('finds the caller\'s party by autor and pinned signer, a register\'s by its route', () => {
    const r = registry();
    expect(r.partyForCaller('dbs:030000010000', signer('mirror'))?.id).toBe('mirror');
    // A Land endpoint's own signer for its own authorities: that Land's party, not the mirror.
    expect(r.partyForCaller('dbs:090000010000', signer('land-09'))?.id).toBe('land-09');
    expect(r.partyForCaller(undefined, signer('mirror'))).toBeUndefined();
    expect(r.partyForTarget('land:09')?.id).toBe('land-09');
    expect(r.partyForTarget('mirror')?.id).toBe('land-03');
    expect(r.partyForTarget('land:99')).toBeUndefined();
  });

  it('admits a registered party for its messages and refuses with T070 otherwise', () => {
    const hit = query('1330-unique-hit.xml');
    expect(verdict(() => registry().checkCaller('mirror', hit, undefined))).toBe('admitted');
    expect(verdict(() => registry().checkCaller('nobody', hit, undefined))).toBe('T070 Absender gesperrt');
    const suspended = registry((c) => { (c.parties[0] as { suspended?: boolean }).suspended = true; });
    expect(verdict(() => suspended.checkCaller('mirror', hit, undefined))).toBe('T070 Absender gesperrt');
    const only1332 = registry((c) => { (c.parties[0] as { messages: string[] }).messages = ['1332']; });
    expect(verdict(() => only1332.checkCaller('mirror', hit, undefined))).toBe('T070 Nachrichtentyp für diesen Absender nicht zugelassen');
  });

  it('requires the bound client certificate where one is configured', () => {
    const bound = registry((c) => { (c.parties[0] as { clientCertificate?: string }).clientCertificate = path.join(testPkiDir(), 'mirror.cert.pem'); });
    const hit = query('1330-unique-hit.xml');
    const fp = new X509Certificate(pki.identities.mirror.certPem).fingerprint256.replace(/:/g, '').toLowerCase();
    expect(verdict(() => bound.checkCaller('mirror', hit, undefined))).toBe('T070 Client-Zertifikat fehlt oder passt nicht');
    expect(verdict(() => bound.checkCaller('mirror', hit, 'ab'.repeat(32)))).toBe('T070 Client-Zertifikat fehlt oder passt nicht');
    expect(verdict(() => bound.checkCaller('mirror', hit, fp))).toBe('admitted');
  });

  it('refuses a suspended authority, and an occasion its registration does not list', () => {
    const hit = query('1330-unique-hit.xml'); // asks for dbs:030000010000
    const off = registry((c) => { (c.authorities[0] as { suspended?: boolean }).suspended = true; });
    expect(verdict(() => off.checkCaller('mirror', hit, undefined))).toBe('T070 Abrufende Stelle gesperrt');
    const asAok = (anlass: string) => query('1330-unique-hit.xml', (x) => x
      .replace(/<kennung>dbs:030000010000<\/kennung>/, '<kennung>dbs:030000030000</kennung>')
      .replace(/<xmeld:anlassDesAbrufs>[^<]*<\/xmeld:anlassDesAbrufs>/, `<xmeld:anlassDesAbrufs>${anlass}</xmeld:anlassDesAbrufs>`));
    expect(verdict(() => registry().checkCaller('mirror', asAok('Beitragseinzug'), undefined))).toBe('admitted');
    expect(verdict(() => registry().checkCaller('mirror', asAok('Neugier'), undefined))).toBe('T070 Anlass für diese abrufende Stelle nicht zugelassen');
  });
});
