import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { validateAnswerMessage } from '../support/schema-check.js';
import { vectorsDir } from '../support/paths.js';
import { bareMessage } from '../../src/soap/write-envelope.js';
import { envelope, postSoap } from '../support/soap-post.js';

/** The parser rows of the shared vectors (expectations.tsv): file → expected verdict. */
function parserVectors(): { file: string; expected: string }[] {
  const rows = readFileSync(path.join(vectorsDir, 'expectations.tsv'), 'utf8').trim().split('\n').slice(1);
  return rows
    .map((r) => r.split('\t'))
    .filter((c) => c[1] === '3-parser' && c[0]?.endsWith('.xml'))
    .map((c) => ({ file: c[0] as string, expected: c[2] as string }));
}

/**
 * ACCEPT rows the gateway refuses by documented policy, as MANIFEST.md allows: XÖV mandates
 * UTF-8 and SOAP forbids a DOCTYPE.
 */
const REFUSED_BY_POLICY: Record<string, string> = {
  'w3c-xmlconf/utf16le-bom-valid_xmltest-valid-sa-049.xml': 'UTF-16 (and a DOCTYPE)',
  'w3c-xmlconf/utf8-bom-valid_E22.xml': 'DOCTYPE',
};

let h: Harness;
let rssBefore = 0;
const durations: number[] = [];
beforeAll(async () => {
  h = await startHarness();
  // The worker threads start with the first message over processing.offloadAboveBytes (one of
  // the vectors is): started here, so their start is not counted as growth below.
  await postSoap(h.endpoint, Buffer.from(`<x>${'a'.repeat(100_000)}`));
  rssBefore = process.memoryUsage().rss;
});
afterAll(async () => {
  await h.close();
});

describe('hostile input: every parser vector gets a SOAP fault with the right 0910 reason', () => {
  const vectors = parserVectors();
  it('finds the parser vectors', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(19);
  });

  for (const v of vectors) {
    it(`${v.file} (${v.expected.slice(0, 40)})`, async () => {
      const bytes = readFileSync(path.join(vectorsDir, v.file));
      const t0 = performance.now();
      const res = await postSoap(h.endpoint, bytes);
      durations.push(performance.now() - t0);
      const facts = answerFacts(res.body);
      expect(res.status).toBe(500);
      expect(facts.faultCode).toBe('soap:Client');
      // An accepted document parses, but it is no SOAP envelope: not valid for this endpoint.
      const parses = v.expected.startsWith('ACCEPT') && REFUSED_BY_POLICY[v.file] === undefined;
      expect(facts.rts).toBe(parses ? 'X001' : 'X000');
      expect(validateAnswerMessage(res.body)).toEqual({ ok: true });
      expect(res.body).not.toContain('root:x:0:0'); // /etc/passwd never appears
      // Nothing of the document comes back (the signature's base64 is left out of the look).
      expect(res.body.replace(/<wsse:Security[\s\S]*<\/wsse:Security>/, '')).not.toMatch(/lol|xxe|ENTITY/i);
    });
  }
});

describe('hostile input: bounded', () => {
  // Not a speed target (that is the benchmark's): a bound that a hang or an entity expansion
  // would break by orders of magnitude.
  it('answered every parser vector within 5 s each, with memory growing by less than 200 MB', () => {
    expect(durations.length).toBeGreaterThanOrEqual(19);
    expect(Math.max(...durations)).toBeLessThan(5_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  });
});

describe('hostile input: limits, encodings and structure', () => {
  const message = readFileSync(path.join(vectorsDir, '../xmeld/25.11a/samples/kosit-FachspezifischBehoerdenauskunft006a-1330.xml'), 'utf8');

  it('refuses a body over the size limit with S999 before parsing it', async () => {
    const big = envelope(message.replace('</xmeld:steuerungsinformationen>', `<!--${'x'.repeat(9 * 1024 * 1024)}--></xmeld:steuerungsinformationen>`));
    const res = await postSoap(h.endpoint, big);
    expect(answerFacts(res.body).rts).toBe('S999');
  });

  it('refuses nesting deeper than the structure limit (64) with S999, before libxml2 sees it', async () => {
    const deep = envelope(`${'<a>'.repeat(400)}${'</a>'.repeat(400)}`);
    const res = await postSoap(h.endpoint, deep);
    expect(answerFacts(res.body).rts).toBe('S999');
    expect(res.body).toContain('zu tief verschachtelt');
  });

  it('refuses a DOCTYPE even before an otherwise valid envelope', async () => {
    const withDtd = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>${envelope(message).replace(/^<\?xml[^?]*\?>/, '')}`;
    expect(answerFacts((await postSoap(h.endpoint, withDtd)).body).rts).toBe('X000');
  });

  it('refuses an encoding declaration other than UTF-8', async () => {
    const latin1 = envelope(message).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    expect(answerFacts((await postSoap(h.endpoint, latin1)).body).rts).toBe('X000');
  });

  it('refuses bytes that are not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from(envelope(message).slice(0, 200)), Buffer.from([0xc3, 0x28]), Buffer.from(envelope(message).slice(200))]);
    expect(answerFacts((await postSoap(h.endpoint, bytes)).body).rts).toBe('X000');
  });

  it('accepts UTF-8 with a byte order mark', async () => {
    const { xml, uuid } = h.signed(message);
    const res = await postSoap(h.endpoint, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]));
    expect(res.status).toBe(200);
    expect(answerFacts(res.body).ursprungsUuid).toBe(uuid);
  });

  it('refuses two messages in one Body, and two Bodies', async () => {
    const bare = bareMessage(message);
    const two = envelope(bare + bare);
    expect(answerFacts((await postSoap(h.endpoint, two)).body).rts).toBe('X001');
    const twoBodies = envelope(bare).replace('</soap:Body>', `</soap:Body><soap:Body>${bare}</soap:Body>`);
    expect(answerFacts((await postSoap(h.endpoint, twoBodies)).body).rts).toBe('X001');
  });

  it('answers another XMeld version with V000 and a schema violation with X001', async () => {
    const other = h.signed(message.replaceAll('http://www.osci.de/xmeld2511a', 'http://www.osci.de/xmeld2605')).xml;
    expect(answerFacts((await postSoap(h.endpoint, other)).body).rts).toBe('V000');
    const invalid = h.signed(message.replace('<xmeld:aktenzeichen>', '<xmeld:aktenzeichen2/><xmeld:aktenzeichen>')).xml;
    const res = await postSoap(h.endpoint, invalid);
    expect(answerFacts(res.body).rts).toBe('X001');
  });

  it('never echoes personal data of the request in a fault', async () => {
    const invalid = h.signed(message.replace('<xmeld:aktenzeichen>', '<xmeld:unbekannt/><xmeld:aktenzeichen>')).xml;
    const res = await postSoap(h.endpoint, invalid);
    expect(answerFacts(res.body).rts).toBe('X001');
    for (const personal of ['Schneider', 'Hans Peter', '2007-05-30', '34952939']) expect(res.body).not.toContain(personal);
  });

  it('answers a SOAP 1.2 request with a SOAP 1.2 Sender fault (HTTP 400)', async () => {
    const res = await postSoap(h.endpoint, '<not-xml', '1.2');
    expect(res.status).toBe(400);
    const facts = answerFacts(res.body);
    expect(facts.soapVersion).toBe('1.2');
    expect(facts.faultCode).toBe('soap:Sender');
    expect(facts.rts).toBe('X000');
  });
});
