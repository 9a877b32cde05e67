import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSigner, type IdentityName } from '../../src/security/test-pki.js';
import { signEnvelope } from '../../src/security/wss-sign.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { validateAnswerMessage } from '../support/schema-check.js';
import { envelope, postSoap } from '../support/soap-post.js';
import { withFreshUuid } from '../support/test-pki.js';

const hit = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
const PERSONAL = ['Testfrau', 'Erika', '1980-04-12'];

function asAutor(message: string, kennung: string): string {
  return message.replace(/(<autor>[\s\S]*?<kennung>)[^<]*(<\/kennung>)/, `$1${kennung}$2`);
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    config: (c) => {
      const anchors = { trustAnchors: ['${PKI}/XMeld-Test-Root-CA.cert.pem'], intermediates: ['${PKI}/XMeld-Test-Signing-CA.cert.pem'], crls: ['${PKI}/intermediate.crl.pem'] };
      c.parties.push(
        { id: 'cut-off', signsFor: ['dbs:039900*'], messages: ['1330', '1332'], answersFor: [], ...anchors, signerCertificates: ['${PKI}/authority-plain.cert.pem'], signerSubjects: [], allowSha1: false, suspended: true },
        { id: 'only-free-search', signsFor: ['dbs:039800*'], messages: ['1332'], answersFor: [], ...anchors, signerCertificates: ['${PKI}/authority-police.cert.pem'], signerSubjects: [], allowSha1: false, suspended: false },
      );
    },
  });
});
afterAll(async () => {
  await h?.close();
});

async function refusal(body: string | Buffer): Promise<{ rts?: string; status: number; text: string }> {
  const res = await postSoap(h.endpoint, body);
  expect(validateAnswerMessage(res.body)).toEqual({ ok: true });
  for (const p of PERSONAL) expect(res.body).not.toContain(p);
  return { rts: answerFacts(res.body).rts, status: res.status, text: res.body };
}

function signedBy(name: IdentityName, message = hit, now?: Date): string {
  const { xml } = withFreshUuid(message);
  return signEnvelope(envelope(xml), testSigner(h.pki.identities[name]), now ? { now } : {});
}

describe('every refusal on the caller hop names its 0910 reason', () => {
  it('T010 for an unsigned message', async () => {
    expect((await refusal(envelope(withFreshUuid(hit).xml))).rts).toBe('T010');
  });
  it('T002 for a signer that chains to no configured anchor', async () => {
    expect((await refusal(signedBy('untrusted'))).rts).toBe('T002');
    expect((await refusal(signedBy('self-signed'))).rts).toBe('T002');
  });
  it('T000 for an expired or not yet valid certificate', async () => {
    expect((await refusal(signedBy('expired'))).rts).toBe('T000');
    expect((await refusal(signedBy('not-yet-valid'))).rts).toBe('T000');
  });
  it('T001 for a revoked certificate, T002 without digitalSignature key usage', async () => {
    expect((await refusal(signedBy('revoked'))).rts).toBe('T001');
    expect((await refusal(signedBy('wrong-key-usage'))).rts).toBe('T002');
  });
  it('T070 for a valid certificate that is not the configured signer of the party', async () => {
    expect((await refusal(signedBy('land-05'))).rts).toBe('T070');
  });
  it('S100 for a replayed message', async () => {
    const once = signedBy('mirror');
    expect((await postSoap(h.endpoint, once)).status).toBe(200);
    expect((await refusal(once)).rts).toBe('S100');
  });
  it('T099 for a stale timestamp, S000 for one from the future', async () => {
    expect((await refusal(signedBy('mirror', hit, new Date(Date.now() - 3 * 3600_000)))).rts).toBe('T099');
    expect((await refusal(signedBy('mirror', hit, new Date(Date.now() + 3600_000)))).rts).toBe('S000');
  });
  it('T011 for content changed after signing', async () => {
    const tampered = signedBy('mirror').replace('<name>Testfrau</name>', '<name>Andere</name>');
    expect((await refusal(tampered)).rts).toBe('T011');
  });
  it('T070 for a suspended party, and for a message type the party may not send', async () => {
    expect((await refusal(signedBy('authority-plain', asAutor(hit, 'dbs:039900000001')))).rts).toBe('T070');
    expect((await refusal(signedBy('authority-police', asAutor(hit, 'dbs:039800000001')))).rts).toBe('T070');
  });
  it('T070 for a Krankenkasse asking for an occasion outside its statutory tasks', async () => {
    const kasse = asAutor(hit, 'dbs:030000030000').replace(/<xmeld:anlassDesAbrufs>[^<]*</, '<xmeld:anlassDesAbrufs>Werbung<');
    expect((await refusal(signedBy('mirror', kasse))).rts).toBe('T070');
    const statutory = asAutor(hit, 'dbs:030000030000').replace(/<xmeld:anlassDesAbrufs>[^<]*</, '<xmeld:anlassDesAbrufs>Beitragseinzug<')
      .replace('<xmeld:sicherheitsbehoerde>true<', '<xmeld:sicherheitsbehoerde>false<');
    expect((await postSoap(h.endpoint, signedBy('mirror', statutory))).status).toBe(200);
  });
  it('rueckweisung 03 when sicherheitsbehoerde=true comes from an authority not registered as one', async () => {
    const res = await postSoap(h.endpoint, signedBy('mirror', asAutor(hit, 'dbs:030000020000')));
    expect(answerFacts(res.body).rueckweisung).toContain('03');
  });
  it('leaves a protocol record for every refusal, with its RTS code', async () => {
    await refusal(envelope(withFreshUuid(hit).xml));
    const rejected = [];
    for await (const r of h.gateway.protocol.export({ hops: ['rejected'] }, { kind: 'dpo', id: 'test' })) rejected.push(r);
    const codes = new Set(rejected.map((r) => r.outcome?.rts).filter(Boolean));
    for (const c of ['T010', 'T002', 'T000', 'T001', 'T070', 'S100', 'T099', 'S000', 'T011']) expect(codes).toContain(c);
  });
});

describe('the answers of the gateway are signed', () => {
  it('signs a 1331 with its own key over Body, Timestamp and gw:vorgang', async () => {
    const res = await postSoap(h.endpoint, signedBy('mirror'));
    expect(res.status).toBe(200);
    const { verifyEnvelope } = await import('../../src/security/wss-verify.js');
    const v = verifyEnvelope(res.body);
    expect(v.signerCertificate.subject).toContain('CN=gateway');
    expect(v.vorgang?.vorgangsnummer).toBe(answerFacts(res.body).vorgangsnummer);
    expect(v.signedIds.length).toBe(3);
  });
});

describe('the register hop', () => {
  it('answers 16 when a register\'s answer is signed by another register', async () => {
    const wrong = await startHarness({
      simulator: {
        security: {
          signResponse: async (xml) => signEnvelope(xml, testSigner(h.pki.identities['land-05'])),
        },
      },
    });
    try {
      const res = await postSoap(wrong.endpoint, wrong.signed(hit).xml);
      expect(answerFacts(res.body).rueckweisung).toEqual(['16']);
      expect(answerFacts(res.body).freitexte[0]).toMatch(/Signatur/);
    } finally {
      await wrong.close();
    }
  });
});

describe('mTLS: a party bound to its client certificate', () => {
  let tls: Harness;
  beforeAll(async () => {
    tls = await startHarness({
      config: (c) => {
        c.http.tls = { key: '${PKI}/tls-server.TEST-KEY.pem', certificate: '${PKI}/tls-server.cert.pem', clientCa: ['${PKI}/XMeld-Test-Root-CA.cert.pem', '${PKI}/XMeld-Test-Signing-CA.cert.pem'] };
        const mirror = c.parties.find((p) => p.id === 'mirror');
        if (mirror) mirror.clientCertificate = '${PKI}/tls-client.cert.pem';
      },
    });
  });
  afterAll(async () => {
    await tls?.close();
  });

  async function post(withClientCert: boolean): Promise<{ status: number; body: string }> {
    const id = tls.pki.identities;
    const dispatcher = new Agent({
      connect: {
        ca: [tls.pki.rootCa.certPem, tls.pki.intermediateCa.certPem],
        ...(withClientCert ? { key: id['tls-client'].keyPem, cert: id['tls-client'].certPem } : {}),
      },
    });
    try {
      const res = await request(tls.endpoint, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body: tls.signed(hit).xml, dispatcher });
      return { status: res.statusCode, body: await res.body.text() };
    } finally {
      await dispatcher.close();
    }
  }

  it('refuses a request without the bound client certificate with T070', async () => {
    expect(tls.endpoint.startsWith('https://')).toBe(true);
    const res = await post(false);
    expect(answerFacts(res.body).rts).toBe('T070');
  });
  it('accepts the request over the bound client certificate', async () => {
    const res = await post(true);
    expect(res.status).toBe(200);
    expect(answerFacts(res.body).ergebnisstatus).toBe('01');
  });
});
