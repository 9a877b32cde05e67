import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import type { IdentityName } from '../../src/security/test-pki.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';
import { testPkiDir } from '../support/test-pki.js';

const POLICE = 'dbs:030000010000';
const query = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
const pem = (name: string) => readFileSync(path.join(testPkiDir(), name), 'utf8');

interface Answer { status: number; body: string; headers: Record<string, string | string[] | undefined> }

/** A browser-less console client over HTTPS, presenting a test identity's certificate (or none). */
class Client {
  private cookie = '';
  csrf = '';
  private readonly agent: Agent;

  constructor(private readonly base: string, identity?: IdentityName) {
    this.agent = new Agent({
      connect: {
        ca: [pem('XMeld-Test-Root-CA.cert.pem'), pem('XMeld-Test-Signing-CA.cert.pem')],
        ...(identity ? { key: pem(`${identity}.TEST-KEY.pem`), cert: pem(`${identity}.cert.pem`) } : {}),
      },
    });
  }

  async send(method: 'GET' | 'POST', p: string, form?: Record<string, string>): Promise<Answer> {
    const res = await request(`${this.base}${p}`, {
      method, dispatcher: this.agent,
      headers: { cookie: this.cookie, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    const body = await res.body.text();
    const set = res.headers['set-cookie'];
    if (typeof set === 'string') this.cookie = set.split(';')[0] as string;
    this.csrf = /name="csrf" value="([^"]+)"/.exec(body)?.[1] ?? this.csrf;
    return { status: res.statusCode, body, headers: res.headers };
  }

  async signIn(): Promise<Answer> {
    return this.send('POST', '/anmelden', { verfahren: 'zertifikat', csrf: '' });
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

describe('console access rules: client certificates mapped to roles, partitions, forms', () => {
  let h: Harness;
  let base: string;
  let vorgangsnummer: string;
  const clients: Client[] = [];
  const client = (identity?: IdentityName): Client => {
    const c = new Client(base, identity);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    h = await startHarness({
      config: (c) => {
        c.admin = {
          ...c.admin, enabled: true, port: 0,
          tls: { key: '${PKI}/tls-server.TEST-KEY.pem', certificate: '${PKI}/tls-server.cert.pem', clientCa: ['${PKI}/XMeld-Test-Root-CA.cert.pem', '${PKI}/XMeld-Test-Signing-CA.cert.pem'] },
          users: [
            { name: 'dsb', role: 'dpo', certificate: '${PKI}/tls-client.cert.pem' },
            { name: 'pd-hannover', role: 'security-authority', authority: POLICE, subject: 'CN=authority-police, OU=TEST, O=XMeld Gateway Test PKI, C=DE' },
          ],
        };
      },
    });
    base = (h.gateway.console as { url: string }).url.replace('127.0.0.1', 'localhost');
    const answer = await postSoap(h.endpoint, h.signed(query).xml);
    vorgangsnummer = answerFacts(answer.body).vorgangsnummer as string;
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await h?.close();
  });

  it('lives on its own listener: the SOAP listener serves no console page', async () => {
    expect(base).not.toBe(h.gateway.url);
    const onSoap = await request(`${h.gateway.url}/anmelden`);
    await onSoap.body.dump();
    expect(onSoap.statusCode).toBe(404);
  });

  it('without a mapped certificate there is no sign-in, and the refusal is protocolled', async () => {
    const anonymous = client();
    expect((await anonymous.send('GET', '/')).status).toBe(303);
    expect((await anonymous.send('GET', '/anmelden')).body).toContain('Anmeldung nur mit einem Client-Zertifikat möglich.');
    expect((await anonymous.signIn()).status).toBe(401);
    const stranger = client('mirror'); // a valid certificate of the test PKI, but no console user
    expect((await stranger.send('GET', '/anmelden')).body).toContain('Dieses Zertifikat ist keiner Rolle zugeordnet.');
    expect((await stranger.signIn()).status).toBe(401);
  });

  it('the DPO reads the operator partition, may not suspend, and every form needs its token', async () => {
    const dpo = client('tls-client');
    expect((await dpo.send('GET', '/anmelden')).body).toContain('CN=tls-client');
    const signIn = await dpo.signIn();
    expect(signIn.status).toBe(303);
    expect(String(signIn.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict; Secure/);
    expect((await dpo.send('GET', '/')).status).toBe(200);

    expect((await dpo.send('GET', `/vorgang?nummer=${encodeURIComponent(vorgangsnummer)}`)).status).toBe(400); // no purpose
    const found = await dpo.send('GET', `/vorgang?nummer=${encodeURIComponent(vorgangsnummer)}&zweck=datenschutzkontrolle`);
    expect(found.body).toContain(vorgangsnummer);

    expect((await dpo.send('POST', '/protokoll/pruefen', { csrf: 'falsch' })).status).toBe(403);
    const verified = await dpo.send('POST', '/protokoll/pruefen', { csrf: dpo.csrf });
    expect(verified.body).toContain('Alle Ketten sind unversehrt.');
    expect(verified.body).not.toContain(`authority:${POLICE}`); // an authority's chain is not the DPO's to see

    await dpo.send('GET', '/parteien');
    const suspend = await dpo.send('POST', '/parteien/sperre', { csrf: dpo.csrf, art: 'authority', id: POLICE, gesperrt: 'ja', grund: 'x' });
    expect(suspend.status).toBe(403);
    expect(answerFacts((await postSoap(h.endpoint, h.signed(query).xml)).body).ergebnisstatus).toBe('01');
  });

  it('a security authority sees only its own partition, with its full records', async () => {
    const authority = client('authority-police');
    expect((await authority.signIn()).status).toBe(303);
    expect((await authority.send('GET', '/')).status).toBe(403);
    expect((await authority.send('GET', '/parteien')).status).toBe(403);
    const timeline = await authority.send('GET', `/vorgang/${encodeURIComponent(vorgangsnummer)}?zweck=datenschutzkontrolle`);
    expect(timeline.body).toContain('Ergebnisstatus 01'); // its own partition holds the whole record
    const exported = await authority.send('GET', '/protokoll/export?format=ndjson&zweck=datenschutzkontrolle');
    expect(exported.headers['content-type']).toContain('application/x-ndjson');
    const lines = exported.body.trim().split('\n').map((l) => JSON.parse(l) as ProtocolRecord);
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines.map((r) => r.partition))).toEqual(new Set([`authority:${POLICE}`]));

    // Who looked, when, with which filter and purpose: in the operator partition.
    const looks: ProtocolRecord[] = [];
    for await (const r of h.gateway.protocol.export({ hops: ['exported'] }, { kind: 'dpo', id: 'test', purpose: 'Test' })) looks.push(r);
    const own = looks.filter((r) => r.exportInfo?.requester.kind === 'authority');
    expect(own.map((r) => r.exportInfo?.partition)).toEqual([`authority:${POLICE}`, `authority:${POLICE}`]);
    expect(own[0]?.exportInfo?.filter.vorgangsnummer).toBe(vorgangsnummer);
    expect(own[0]?.exportInfo?.requester.purpose).toBe(`Datenschutzkontrolle (Konsole, authority:${POLICE})`);
  });
});
