import { createPublicKey } from 'node:crypto';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RejectedMessageError } from '../../src/errors.js';
import { InMemoryReplayGuard, ReplayGuardUnavailableError } from '../../src/security/replay-guard.js';
import { BAD_NAMES, LEGACY_NAMES, SIGNER_NAMES, generateTestPki, type TestPki } from '../../src/security/test-pki.js';
import { TrustStore, checkSignerTrust } from '../../src/security/trust.js';
import { loadPki, partyOf } from './fixtures.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await loadPki();
}, 60_000);

describe('test PKI', () => {
  it('has every identity, key files marked as TEST KEY, keys matching certificates', () => {
    for (const name of [...SIGNER_NAMES, ...BAD_NAMES, ...LEGACY_NAMES, 'tls-server', 'tls-client'] as const) {
      const id = pki.identities[name];
      expect(id.keyPem.startsWith('# TEST KEY')).toBe(true);
      expect(new X509Certificate(id.certPem).checkPrivateKey(createPrivateKey(id.keyPem))).toBe(true);
      if (pki.dir) expect(existsSync(path.join(pki.dir, `${name}.TEST-KEY.pem`))).toBe(true);
    }
    expect(pki.identities['land-07'].keyType).toBe('ec');
    // The gateway signs with ECDSA P-256; every RSA identity is RSA-3072, but the legacy one.
    expect(pki.identities.gateway.keyType).toBe('ec');
    expect(pki.identities.mirror.keyType).toBe('rsa');
    expect(createPublicKey(pki.identities.mirror.certPem).asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(createPublicKey(pki.identities['legacy-rsa2048'].certPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(new X509Certificate(pki.identities.gateway.certPem).publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('leaves chain to the root through the intermediate; untrusted and self-signed do not', () => {
    const root = new X509Certificate(pki.rootCa.certPem);
    const inter = new X509Certificate(pki.intermediateCa.certPem);
    expect(inter.checkIssued(root) && inter.verify(root.publicKey)).toBe(true);
    const gw = new X509Certificate(pki.identities.gateway.certPem);
    expect(gw.checkIssued(inter) && gw.verify(inter.publicKey)).toBe(true);
    expect(new X509Certificate(pki.identities.untrusted.certPem).verify(inter.publicKey)).toBe(false);
    const self = new X509Certificate(pki.identities['self-signed'].certPem);
    expect(self.verify(self.publicKey)).toBe(true);
  });

  it('TLS certificates carry serverAuth/clientAuth and SAN localhost / 127.0.0.1', () => {
    const server = new X509Certificate(pki.identities['tls-server'].certPem);
    expect(server.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(new X509Certificate(pki.identities['tls-client'].certPem).keyUsage).toContain('1.3.6.1.5.5.7.3.2');
  });

  it('is reused from its cache directory, and the CRL is written as PEM', async () => {
    const again = await loadPki();
    expect(again.createdAt).toBe(pki.createdAt);
    if (pki.dir) expect(readFileSync(path.join(pki.dir, 'intermediate.crl.pem'), 'utf8')).toContain('BEGIN X509 CRL');
  });

  it('generates RSA land keys when asked (no cache dir)', async () => {
    const rsa = await generateTestPki(undefined, { landKeyType: 'rsa' });
    expect(rsa.identities['land-01'].keyType).toBe('rsa');
    expect(rsa.dir).toBeUndefined();
  }, 60_000);
});

describe('trust', () => {
  const code = async (p: Promise<unknown>): Promise<string> =>
    p.then(
      () => 'trusted',
      (e: unknown) => (e instanceof RejectedMessageError ? e.code : 'crash'),
    );

  it('trusts a configured leaf via root + intermediate, and caches the decision', async () => {
    const store = new TrustStore();
    const party = partyOf(pki, 'mirror');
    const r = await store.check(pki.identities.mirror.certPem, [], party, new Date());
    expect(r.path).toEqual([pki.identities.mirror.subject, pki.intermediateCa.subject, pki.rootCa.subject]);
    expect(await store.check(pki.identities.mirror.certPem, [], party, new Date())).toBe(r);
  });

  it('without the intermediate the chain is incomplete → T002; from the message it completes', async () => {
    const party = partyOf(pki, 'mirror', { intermediates: [] });
    expect(await code(checkSignerTrust(pki.identities.mirror.certPem, [], party))).toBe('T002');
    expect(await code(checkSignerTrust(pki.identities.mirror.certPem, [pki.intermediateCa.certPem], partyOf(pki, 'mirror', { intermediates: [] })))).toBe('trusted');
  });

  it('the intermediate as the only anchor is enough (anchor need not be a root)', async () => {
    const party = partyOf(pki, 'mirror', { trustAnchors: [pki.intermediateCa.certPem], intermediates: [] });
    expect(await code(checkSignerTrust(pki.identities.mirror.certPem, [], party))).toBe('trusted');
  });

  it('a stale CRL fails closed (T002, receiver side)', async () => {
    const later = new Date(Date.now() + 40 * 86_400_000);
    try {
      await checkSignerTrust(pki.identities.mirror.certPem, [], partyOf(pki, 'mirror'), later);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RejectedMessageError);
      expect((e as RejectedMessageError).code).toBe('T002');
      expect((e as RejectedMessageError).side).toBe('receiver');
    }
  });

  it('a signer subject in RFC 4514 order (openssl -nameopt RFC2253) or in the certificate\'s own order is the same subject', async () => {
    const own = pki.identities.mirror.subject;
    const rfc4514 = own.split(/\s*,\s*/).reverse().join(',');
    expect(rfc4514).not.toBe(own);
    for (const subject of [own, rfc4514, own.toUpperCase().replace(/^CN=/, 'cn='), own.replace(/, /g, ',')]) {
      expect(await code(checkSignerTrust(pki.identities.mirror.certPem, [], partyOf(pki, 'mirror', { signerSubjects: [subject] }))), subject).toBe('trusted');
    }
    const other = pki.identities['land-01'].subject.split(/\s*,\s*/).reverse().join(',');
    expect(await code(checkSignerTrust(pki.identities.mirror.certPem, [], partyOf(pki, 'mirror', { signerSubjects: [other] })))).toBe('T070');
  });

  it('no signer configured for the party → T070 (anchors alone do not make a sender)', async () => {
    const party = partyOf(pki, 'mirror', { signerSubjects: [] });
    expect(await code(checkSignerTrust(pki.identities.mirror.certPem, [], party))).toBe('T070');
  });

  it('revoked is only detected with the CRL configured', async () => {
    expect(await code(checkSignerTrust(pki.identities.revoked.certPem, [], partyOf(pki, 'revoked')))).toBe('T001');
    expect(await code(checkSignerTrust(pki.identities.revoked.certPem, [], partyOf(pki, 'revoked', { crls: [] })))).toBe('trusted');
  });

  it('an unreadable certificate → T002, never a crash', async () => {
    expect(await code(checkSignerTrust('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', [], partyOf(pki, 'mirror')))).toBe('T002');
  });
});

describe('InMemoryReplayGuard', () => {
  it('records, detects and forgets after expiry', async () => {
    let t = 1_000_000;
    const guard = new InMemoryReplayGuard(() => t, 0);
    expect(await guard.seen('a', new Date(t + 1000))).toBe(false);
    expect(await guard.seen('a', new Date(t + 1000))).toBe(true);
    expect(await guard.seen('b', new Date(t + 5000))).toBe(false);
    t += 2000;
    expect(await guard.seen('a', new Date(t + 1000))).toBe(false);
    expect(guard.size).toBe(2);
    t += 10_000;
    await guard.seen('c', new Date(t + 1000));
    expect(guard.size).toBe(1);
  });

  it('fails closed when full: it cannot decide, and says so (not "duplicate")', async () => {
    const guard = new InMemoryReplayGuard(Date.now, 30_000, 2);
    await guard.seen('a', new Date(Date.now() + 60_000));
    await guard.seen('b', new Date(Date.now() + 60_000));
    await expect(guard.seen('c', new Date(Date.now() + 60_000))).rejects.toBeInstanceOf(ReplayGuardUnavailableError);
  });
});
