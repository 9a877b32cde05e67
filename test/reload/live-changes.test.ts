import { describe, expect, it } from 'vitest';
import type { AuthorityConfig, GatewayConfig, PartyConfig } from '../../src/config/gateway-config.js';
import { liveChanges } from '../../src/reload/live-changes.js';
import type { LiveMaterial } from '../../src/reload/live-material.js';
import { withSuspensions } from '../../src/reload/suspensions.js';
import { loadTestPki } from '../support/test-pki.js';

const party = (id: string, o: Partial<PartyConfig> = {}): PartyConfig => ({
  id, signsFor: [], messages: ['1330', '1332'], answersFor: [], trustAnchors: ['root.pem'], intermediates: [], crls: ['crl.pem'],
  signerCertificates: [], signerSubjects: [], allowSha1: false, suspended: false, ...o,
});
const authority = (kennung: string, o: Partial<AuthorityConfig> = {}): AuthorityConfig => ({
  kennung, sicherheitsbehoerde: false, entitledTo: [], suspended: false, protocolCommissioned: false, ...o,
});
const material = (o: Partial<LiveMaterial>): LiveMaterial => ({ parties: [], authorities: [], xmeldReleases: {}, files: { 'root.pem': 'R', 'crl.pem': 'C1' }, ...o });

describe('what a reload changes, in words (never key material)', () => {
  it('names added, removed, suspended and changed entries', () => {
    const before = material({ parties: [party('a'), party('b')], authorities: [authority('dbs:1'), authority('dbs:2')] });
    const after = material({
      parties: [party('a', { suspended: true }), party('c')],
      authorities: [authority('dbs:1', { suspended: true }), authority('dbs:2', { entitledTo: ['waffen'] })],
    });
    expect(liveChanges(before, after)).toEqual([
      'authority dbs:1 suspended', 'authority dbs:2 registration changed', 'party a suspended', 'party c added', 'party b removed',
    ]);
    expect(liveChanges(after, after)).toEqual([]);
  });

  it('notices a file replaced under the same name (a new CRL), and settings apart from it', () => {
    const before = material({ parties: [party('a')] });
    const after = { ...material({ parties: [party('a', { signsFor: ['dbs:05*'] })] }), files: { 'root.pem': 'R', 'crl.pem': 'C2' } };
    expect(liveChanges(before, after)).toEqual(['party a trust material changed (crls)', 'party a settings changed']);
  });

  it('describes a new signing certificate by subject, expiry and fingerprint only', async () => {
    const pki = await loadTestPki();
    const signing = (key: string, cert: string) => ({ signing: { key: 'k', certificate: 'c' }, files: { k: key, c: cert } });
    const before = material(signing(pki.identities.gateway.keyPem, pki.identities.gateway.certPem));
    const after = material(signing(pki.identities.mirror.keyPem, pki.identities.mirror.certPem));
    const [change] = liveChanges(before, after);
    expect(change).toMatch(/^signing key and certificate replaced: certificate CN=mirror, OU=TEST, O=XMeld Gateway Test PKI, C=DE, valid to \S+, SHA-256 [0-9a-f]{64}$/);
    expect(change).not.toContain('PRIVATE');
  });
});

describe('the operators\' suspensions over the file', () => {
  it('override the file\'s flag either way and leave the rest alone', () => {
    const config = { authorities: [authority('dbs:1'), authority('dbs:2', { suspended: true })], parties: [party('a')] } as unknown as GatewayConfig;
    const at = '2026-12-04T10:00:00.000Z';
    const out = withSuspensions(config, [
      { kind: 'authority', id: 'dbs:1', suspended: true, reason: 'r', by: 'operator:x', at },
      { kind: 'authority', id: 'dbs:2', suspended: false, reason: 'r', by: 'operator:x', at },
      { kind: 'party', id: 'dbs:1', suspended: true, reason: 'same id, other kind', by: 'operator:x', at },
    ]);
    expect(out.authorities.map((a) => a.suspended)).toEqual([true, false]);
    expect(out.parties.map((p) => p.suspended)).toEqual([false]);
    expect(config.authorities[0]?.suspended).toBe(false); // pure
  });
});
