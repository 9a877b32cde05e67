import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { collect } from '../protocol/fixtures.js';

const query = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: (c) => { c.http.bodyLimitBytes = 1024 * 1024; c.http.maxConnections = 8; } });
});
afterAll(async () => {
  await h?.close();
});

function rejected(): Promise<ProtocolRecord[]> {
  return collect(h.gateway.protocol.export({ hops: ['rejected'] }, { kind: 'dpo', id: 'http-edges-test' }));
}

/** A raw HTTP/1.1 exchange: the request written as fast as the socket takes it, the whole answer read. */
function rawExchange(port: number, head: string, body: Buffer): Promise<{ response: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let error: string | undefined;
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (e) => { error = (e as NodeJS.ErrnoException).code ?? e.message; });
    socket.on('close', () => resolve({ response: Buffer.concat(chunks).toString('utf8'), ...(error ? { error } : {}) }));
    socket.write(head);
    socket.end(body);
  });
}

describe('HTTP edges of POST /xmeld', () => {
  it('refuses a body that is not SOAP by its content type with 415 and a SOAP fault, and records it', async () => {
    const before = (await rejected()).length;
    for (const ct of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
      const res = await request(h.endpoint, { method: 'POST', headers: { 'content-type': ct }, body: h.signed(query).xml });
      const text = await res.body.text();
      expect(res.statusCode, ct).toBe(415);
      expect(text).toContain('administration.returntosender.0910');
      expect(text).toContain('Inhaltstyp');
    }
    expect((await rejected()).length).toBe(before + 3);
    // text/xml and application/soap+xml with parameters are SOAP
    const ok = await request(h.endpoint, { method: 'POST', headers: { 'content-type': 'text/xml;charset=UTF-8', soapaction: '"urn:xmeld-gateway:1:personensuche"' }, body: h.signed(query).xml });
    expect(answerFacts(await ok.body.text()).ergebnisstatus).toBe('01');
  });

  it('answers a fast upload over the body limit with a SOAP fault (not a reset), and records it', async () => {
    const before = (await rejected()).length;
    const port = Number(new URL(h.gateway.url).port);
    const big = Buffer.alloc(9 * 1024 * 1024, 0x61);
    const head = `POST /xmeld HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: ${big.length}\r\n\r\n`;
    const { response, error } = await rawExchange(port, head, big);
    // The answer arrives whole; the server may close its side once it has answered, so a client
    // still writing can see EPIPE on its own write, never a reset before the answer.
    expect(error === undefined || error === 'EPIPE', String(error)).toBe(true);
    expect(response).toMatch(/^HTTP\/1\.1 500/);
    expect(response).toContain('Nachricht überschreitet die zulässige Größe');
    expect(response).toContain('<code>S999</code>');
    const after = await rejected();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)?.outcome?.rts).toBe('S999');
  });

  it('writes the WSDL address from its own listener, whatever Host the request names', async () => {
    const res = await request(`${h.gateway.url}/xmeld?wsdl`, { headers: { host: 'evil.example:666' } });
    const wsdl = await res.body.text();
    expect(wsdl).toContain(`location="${h.gateway.url}/xmeld"`);
    expect(wsdl).not.toContain('evil.example');
  });

  it('holds at most http.maxConnections connections open', async () => {
    const port = Number(new URL(h.gateway.url).port);
    const sockets = await Promise.all(Array.from({ length: 12 }, () => new Promise<import('node:net').Socket>((resolve) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.on('error', () => undefined);
    })));
    await new Promise((r) => setTimeout(r, 300));
    const open = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
    // Refused connections are closed by the server at once.
    const closed = await Promise.all(sockets.map((s) => new Promise<boolean>((resolve) => {
      if (s.destroyed) return resolve(true);
      s.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 300);
    })));
    for (const s of sockets) s.destroy();
    expect(open).toBeGreaterThan(0);
    expect(closed.filter(Boolean).length).toBeGreaterThanOrEqual(4);
  });
});
