import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/gateway-config.js';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import { InMemoryReplayGuard } from '../../src/security/replay-guard.js';
import type { PartyTrust } from '../../src/security/trust.js';
import { verifyAndTrust } from '../../src/security/verify-and-trust.js';
import { simulatorSecurity } from '../../src/simulator/simulator-security.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';
import { loadTestPki } from '../support/test-pki.js';
import { readFileSync } from 'node:fs';
import { issueNextGatewayCertificate, writeCrl } from './rollover-pki.js';

const POLICE = 'dbs:030000010000';
const hit = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');

/** The answer's signer certificate, and whether it verifies against exactly that pinned certificate. */
async function answerSignedBy(body: string, certPem: string, pki: Awaited<ReturnType<typeof loadTestPki>>): Promise<boolean> {
  const pinned: PartyTrust = {
    id: 'gateway', trustAnchors: [pki.rootCa.certPem], intermediates: [pki.intermediateCa.certPem], signerCertificates: [certPem],
  };
  try {
    await verifyAndTrust(body, () => pinned, { replayGuard: new InMemoryReplayGuard() });
    return true;
  } catch {
    return false;
  }
}

async function operatorEvents(h: Harness): Promise<ProtocolRecord[]> {
  const out: ProtocolRecord[] = [];
  for await (const r of h.gateway.protocol.export({ hops: ['operator'] }, { kind: 'dpo', id: 'test', purpose: 'Test' })) out.push(r);
  return out;
}

describe('live reload in one gateway (worker threads)', () => {
  let h: Harness;
  let dir: string;
  let next: Awaited<ReturnType<typeof issueNextGatewayCertificate>>;
  /** What the next reload reads: the test edits it as an operator edits the file. */
  let file: GatewayConfig;

  beforeAll(async () => {
    const pki = await loadTestPki();
    dir = mkdtempSync(path.join(os.tmpdir(), 'xmeld-reload-'));
    next = await issueNextGatewayCertificate(pki, dir);
    // The registers accept the current and the next gateway certificate, as partners do once it is announced.
    const base = simulatorSecurity(pki);
    const trustBoth: PartyTrust = {
      id: 'gateway', trustAnchors: [pki.rootCa.certPem], intermediates: [pki.intermediateCa.certPem], crls: [pki.crlPem],
      signerCertificates: [pki.identities.gateway.certPem, next.certPem],
    };
    h = await startHarness({
      config: (c) => { c.processing = { ...c.processing, threads: 2, offloadAboveBytes: 0 }; },
      simulator: { security: { ...base, verifyRequest: async (env) => { await verifyAndTrust(env, () => trustBoth); } } },
      gateway: { loadConfig: () => file },
    });
    file = structuredClone(h.config);
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('suspends an authority for the next message on every thread, and lifts it again', async () => {
    const before = await postSoap(h.endpoint, h.signed(hit).xml);
    expect(answerFacts(before.body).ergebnisstatus).toBe('01');

    file = { ...file, authorities: file.authorities.map((a) => (a.kennung === POLICE ? { ...a, suspended: true } : a)) };
    const result = await h.gateway.reloader.reload({ actor: 'operator:test' });
    expect(result).toEqual({ ok: true, changes: [`authority ${POLICE} suspended`] });
    // Several at once, so both threads take some: every one is refused.
    const during = await Promise.all(Array.from({ length: 6 }, () => postSoap(h.endpoint, h.signed(hit).xml)));
    for (const r of during) expect(answerFacts(r.body).rts).toBe('T070');

    file = { ...file, authorities: file.authorities.map((a) => (a.kennung === POLICE ? { ...a, suspended: false } : a)) };
    expect((await h.gateway.reloader.reload({ actor: 'operator:test' })).ok).toBe(true);
    const after = await postSoap(h.endpoint, h.signed(hit).xml);
    expect(answerFacts(after.body).ergebnisstatus).toBe('01');

    const events = await operatorEvents(h);
    expect(events.map((e) => [e.operatorEvent?.action, e.operatorEvent?.actor, e.operatorEvent?.changes])).toEqual([
      ['reload', 'operator:test', [`authority ${POLICE} suspended`]],
      ['reload', 'operator:test', [`authority ${POLICE} no longer suspended`]],
    ]);
  });

  it('a new CRL takes effect with the reload: the revoked signer is refused (T001) from the next message on', async () => {
    const good = file;
    const crl = await writeCrl(h.pki, [h.pki.identities.mirror.certPem], path.join(dir, 'intermediate-new.crl.pem'));
    file = { ...good, parties: good.parties.map((p) => (p.id === 'mirror' ? { ...p, crls: [crl] } : p)) };
    const result = await h.gateway.reloader.reload({ actor: 'operator:test' });
    expect(result).toEqual({ ok: true, changes: ['party mirror trust material changed (crls)'] });
    // Both threads had trusted the mirror's certificate before (cached decisions): not any more.
    const answers = await Promise.all(Array.from({ length: 4 }, () => postSoap(h.endpoint, h.signed(hit).xml)));
    for (const a of answers) expect(answerFacts(a.body).rts).toBe('T001');
    file = good;
    expect((await h.gateway.reloader.reload({ actor: 'operator:test' })).ok).toBe(true);
    expect(answerFacts((await postSoap(h.endpoint, h.signed(hit).xml)).body).ergebnisstatus).toBe('01');
  });

  it('a broken reload keeps the running configuration and says why', async () => {
    const good = file;
    const broken = path.join(dir, 'broken.cert.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
    const mirror = (c: GatewayConfig) => c.parties.map((p) => (p.id === 'mirror' ? { ...p, trustAnchors: [broken] } : p));
    // Broken trust material and an authority suspended in the same file: neither may take effect.
    file = {
      ...good,
      parties: mirror(good),
      authorities: good.authorities.map((a) => (a.kennung === POLICE ? { ...a, suspended: true } : a)),
    };
    const refused = await h.gateway.reloader.reload({ actor: 'operator:test' });
    expect(refused.ok).toBe(false);
    expect(refused.ok ? '' : refused.reason).toContain('trust material of the parties is not usable');

    const missing = { ...good, security: { ...good.security, signingKey: path.join(dir, 'no-such-key.pem') } };
    file = missing;
    const refused2 = await h.gateway.reloader.reload({ actor: 'operator:test' });
    expect(refused2.ok ? '' : refused2.reason).toContain('no-such-key.pem');

    // Still the old configuration: the mirror's signature is trusted, the authority is not suspended.
    const still = await postSoap(h.endpoint, h.signed(hit).xml);
    expect(answerFacts(still.body).ergebnisstatus).toBe('01');
    const events = (await operatorEvents(h)).filter((e) => e.operatorEvent?.action === 'reload-refused');
    expect(events).toHaveLength(2);
    expect(events[1]?.operatorEvent?.reason).toContain('no-such-key.pem');
    // The reason names the file, never what a key file holds.
    expect(JSON.stringify(events)).not.toContain('PRIVATE KEY');
    file = good;
  });

  it('key rollover: the next certificate is configured ahead, the switch is a reload', async () => {
    const pki = h.pki;
    file = { ...file, security: { ...file.security, nextSigningKey: next.keyFile, nextSigningCertificate: next.certFile } };
    const ahead = await h.gateway.reloader.reload({ actor: 'operator:test' });
    expect(ahead.ok && ahead.changes[0]).toMatch(/^next signing certificate configured: CN=gateway/);
    const stillOld = await postSoap(h.endpoint, h.signed(hit).xml);
    expect(await answerSignedBy(stillOld.body, pki.identities.gateway.certPem, pki)).toBe(true);

    file = { ...file, security: { ...file.security, signingKey: next.keyFile, signingCertificate: next.certFile, nextSigningKey: undefined, nextSigningCertificate: undefined } };
    const switched = await h.gateway.reloader.reload({ actor: 'operator:test' });
    expect(switched.ok && switched.changes).toEqual([
      expect.stringMatching(/^signing key and certificate replaced: certificate CN=gateway/),
      'next signing certificate removed',
    ]);
    // Every answer afterwards (both threads) is signed with the new key, and verifies against it.
    const answers = await Promise.all(Array.from({ length: 4 }, () => postSoap(h.endpoint, h.signed(hit).xml)));
    for (const a of answers) {
      expect(answerFacts(a.body).ergebnisstatus).toBe('01');
      expect(await answerSignedBy(a.body, next.certPem, pki)).toBe(true);
      expect(await answerSignedBy(a.body, pki.identities.gateway.certPem, pki)).toBe(false);
    }
  });
});
