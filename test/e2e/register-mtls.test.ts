import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/gateway-config.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';
import { loadTestPki } from '../support/test-pki.js';

const hit = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');

/**
 * A register behind HTTPS that demands a client certificate from the test PKI, in front of the
 * simulated register of Land 09.
 */
async function tlsRegister(serverIdentity: 'tls-server' | 'untrusted', forwardTo: () => string): Promise<{ server: Server; url: string }> {
  const pki = await loadTestPki();
  const server = createServer({
    key: pki.identities[serverIdentity].keyPem,
    cert: pki.identities[serverIdentity].certPem,
    ca: [pki.rootCa.certPem, pki.intermediateCa.certPem],
    requestCert: true,
    rejectUnauthorized: true,
  }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      request(forwardTo(), { method: 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body: Buffer.concat(chunks) })
        .then(async (r) => {
          res.writeHead(r.statusCode, { 'content-type': String(r.headers['content-type']) });
          res.end(Buffer.from(await r.body.arrayBuffer()));
        }, () => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/land/09` };
}

function viaTls(url: string, clientIdentity: 'tls-client' | 'untrusted') {
  return (c: GatewayConfig): void => {
    const land = c.routes.laender['09'];
    if (land) land.url = url;
    c.register.tls = {
      key: `\${PKI}/${clientIdentity}.TEST-KEY.pem`,
      certificate: `\${PKI}/${clientIdentity}.cert.pem`,
      ca: ['${PKI}/XMeld-Test-Root-CA.cert.pem', '${PKI}/XMeld-Test-Signing-CA.cert.pem'],
    };
  };
}

describe('mTLS towards registers', () => {
  const harnesses: Harness[] = [];
  const servers: Server[] = [];
  let good = '';
  let impostor = '';
  let simulatorUrl = '';
  beforeAll(async () => {
    const g = await tlsRegister('tls-server', () => simulatorUrl);
    const i = await tlsRegister('untrusted', () => simulatorUrl);
    servers.push(g.server, i.server);
    good = g.url;
    impostor = i.url;
  });
  afterAll(async () => {
    for (const h of harnesses) await h.close();
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  async function ask(config: (c: GatewayConfig) => void): Promise<ReturnType<typeof answerFacts>> {
    const h = await startHarness({ config });
    harnesses.push(h);
    simulatorUrl = h.simulator.urlFor('09');
    return answerFacts((await postSoap(h.endpoint, h.signed(hit).xml)).body);
  }

  it('presents the gateway\'s client certificate and verifies the register\'s server certificate', async () => {
    expect((await ask(viaTls(good, 'tls-client'))).ergebnisstatus).toBe('01');
  });
  it('gets no answer with a client certificate the register does not trust: technical rejection 16', async () => {
    const facts = await ask(viaTls(good, 'untrusted'));
    expect(facts.rueckweisung).toEqual(['16']);
  });
  it('refuses a register whose server certificate does not chain to the configured CAs', async () => {
    const facts = await ask(viaTls(impostor, 'tls-client'));
    expect(facts.rueckweisung).toEqual(['16']);
    expect(facts.freitexte[0]).toBe('Register nicht erreichbar');
  });
});
