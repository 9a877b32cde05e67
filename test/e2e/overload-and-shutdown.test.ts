import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OVERLOADED_DETAIL } from '../../src/message-work/overloaded.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';

const hit = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
const slow = readFileSync(path.join(fixturesDir, 'queries/1330-slow.xml'), 'utf8');

const open: Harness[] = [];
afterAll(async () => {
  await Promise.all(open.map((h) => h.close()));
});

describe('under overload', () => {
  it('sheds what the worker threads cannot take at once: HTTP 503 with a receiver-side S999 fault, the rest answered', async () => {
    // A long deadline: on a busy machine the answered ones may take seconds, never a register timeout.
    const h = await startHarness({ config: (c) => {
      c.processing = { ...c.processing, threads: 1, maxQueuedPerThread: 1, offloadAboveBytes: 0 };
      c.http.requestDeadlineMs = 60_000;
    } });
    open.push(h);
    const bodies = Array.from({ length: 40 }, () => h.signed(hit).xml);
    const results = await Promise.all(bodies.map((b) => postSoap(h.endpoint, b)));
    const shed = results.filter((r) => r.status === 503);
    const answered = results.filter((r) => r.status === 200);
    expect(shed.length).toBeGreaterThan(0);
    expect(answered.length).toBeGreaterThan(0);
    expect(shed.length + answered.length).toBe(results.length);
    for (const r of shed) {
      expect(r.contentType).toContain('text/xml');
      expect(r.body).toContain('<code>S999</code>');
      expect(r.body).toContain(OVERLOADED_DETAIL);
      // Never the register's failure class: no register was asked.
      expect(r.body).not.toContain('Zeitüberschreitung');
    }
    for (const r of answered) expect(answerFacts(r.body).ergebnisstatus).toBe('01');
    // Once the burst is over, the next query goes through.
    const after = await postSoap(h.endpoint, h.signed(hit).xml);
    expect(answerFacts(after.body).ergebnisstatus).toBe('01');
  });
});

/** Writes two pipelined requests on one connection and returns everything the server answers. */
function pipelined(port: number, bodies: string[], onFirstSent: () => void): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    const request = (body: string): string => {
      const bytes = Buffer.byteLength(body);
      return `POST /xmeld HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\n` +
        `SOAPAction: "urn:xmeld-gateway:1:personensuche"\r\nContent-Length: ${bytes}\r\n\r\n${body}`;
    };
    socket.write(request(bodies[0] as string), () => {
      onFirstSent();
      setTimeout(() => socket.write(request(bodies[1] as string)), 200);
    });
  });
}

describe('during shutdown', () => {
  it('answers the query in flight, and a request arriving while it closes with a SOAP fault (503), not plain text', async () => {
    const h = await startHarness({ simulator: { slowDelayMs: 1_500 }, config: (c) => { c.http.requestDeadlineMs = 60_000; } });
    const port = Number(new URL(h.gateway.url).port);
    let closing: Promise<void> | undefined;
    const response = await pipelined(port, [h.signed(slow).xml, h.signed(hit).xml], () => {
      setTimeout(() => { closing = h.gateway.close(); }, 100);
    });
    await closing;
    await h.simulator.close();
    const answers = response.split(/(?=HTTP\/1\.1 )/);
    // The query in flight was answered (Langsam: the Berlin register answers 03 after the delay).
    expect(answers[0]).toMatch(/^HTTP\/1\.1 200/);
    expect(answerFacts(answers[0]!.slice(answers[0]!.indexOf('\r\n\r\n') + 4)).ergebnisstatus).toBe('03');
    expect(answers[1]).toMatch(/^HTTP\/1\.1 503/);
    expect(answers[1]).toContain('Gateway wird beendet');
    expect(answers[1]).toContain('<code>S999</code>');
    expect(answers[1]).toContain('Envelope');
  });
});
