import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_STRUCTURE_LIMITS } from '../../src/xml/structure-limits.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';

/**
 * Issue #18: what an attacker sends costs next to nothing. Inputs grow past each structure
 * limit; the refusal stays fast (the scan stops at the first bound exceeded, before libxml2,
 * XSD or any canonicalization), with or without a trusted certificate. The messages are signed
 * first and grown afterwards: signing them grown would cost the test what it costs an attacker,
 * and the gateway refuses them before it could tell, by a digest, that they were changed.
 */
const query = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
const L = REQUEST_STRUCTURE_LIMITS;

type Grower = (xml: string, n: number) => string;
const growers: Record<string, { grow: Grower; sizes: number[] }> = {
  'attributes on one element': {
    grow: (xml, n) => xml.replace('<anschrift.autor>', `<anschrift.autor${Array.from({ length: n }, (_, i) => ` a${i}="x"`).join('')}>`),
    sizes: [L.maxAttributesPerElement * 4, 10_000, 100_000],
  },
  'namespace declarations': {
    grow: (xml, n) => xml.replace('<anschrift.autor>', `<anschrift.autor>${Array.from({ length: Math.ceil(n / 16) }, (_, k) => `<p:x${Array.from({ length: 16 }, (_, i) => ` xmlns:n${i}="urn:n${k}-${i}"`).join('')} xmlns:p="urn:p"/>`).join('')}`),
    sizes: [L.maxNamespaceDeclarations * 2, 20_000, 100_000],
  },
  elements: {
    grow: (xml, n) => xml.replace('<anschrift.autor>', `<anschrift.autor>${'<e/>'.repeat(n)}`),
    sizes: [L.maxElements * 2, 50_000, 200_000],
  },
  'text length': {
    grow: (xml, n) => xml.replace('<hausnummer>110</hausnummer>', `<hausnummer>${'1'.repeat(n)}</hausnummer>`),
    sizes: [L.maxTextBytes * 2, 500_000, 4_000_000],
  },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await postSoap(h.endpoint, h.signed(query).xml); // warm-up: schemas, worker threads, TLS-free keep-alive
});
afterAll(async () => {
  await h?.close();
});

/** Fastest of three sends, in ms, and the RTS code of the answer. */
async function refusal(body: string): Promise<{ ms: number; code: string | undefined; hinweis: string }> {
  let best = Infinity;
  let res: Awaited<ReturnType<typeof postSoap>> | undefined;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    res = await postSoap(h.endpoint, body);
    best = Math.min(best, performance.now() - t0);
  }
  const text = res?.body ?? '';
  return { ms: best, code: /<(?:\w+:)?grund[^>]*>\s*<code>([A-Z]\d{3})<\/code>/.exec(text)?.[1], hinweis: /<(?:faultstring|\w+:Text)[^>]*>([^<]*)</.exec(text)?.[1] ?? '' };
}

describe('bounded cost for every input', () => {
  for (const [kind, { grow, sizes }] of Object.entries(growers)) {
    it(`${kind}: refused with S999 naming the bound, in under 100 ms at every size, growing at most linearly`, async () => {
      const times: { size: number; bytes: number; ms: number }[] = [];
      for (const size of sizes) {
        const xml = grow(h.signed(query, { as: 'untrusted' }).xml, size);
        const r = await refusal(xml);
        expect(r.code, `${kind} ${size}`).toBe('S999');
        expect(r.hinweis).toContain('Grenzen');
        times.push({ size, bytes: Buffer.byteLength(xml), ms: r.ms });
      }
      console.error(`[measure] ${kind}: ${times.map((t) => `${t.size} (${Math.round(t.bytes / 1024)} KiB) ${t.ms.toFixed(1)} ms`).join(', ')}`);
      for (const t of times) expect(t.ms, `${t.size}`).toBeLessThan(100);
      const [first, last] = [times[0], times.at(-1)] as [typeof times[0], typeof times[0]];
      // Linear at most: time per byte does not grow (with 5 ms of fixed cost allowed).
      expect(last.ms).toBeLessThan(5 + (first.ms * last.bytes) / first.bytes);
    });
  }

  it('the 100,000-attribute message is refused in well under a second, with a trusted certificate too, while normal queries keep their latency', async () => {
    const grow = growers['attributes on one element']?.grow as Grower;
    const normalAlone: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const res = await postSoap(h.endpoint, h.signed(query).xml);
      expect(answerFacts(res.body).ergebnisstatus).toBe('01');
      normalAlone.push(performance.now() - t0);
    }
    const t0 = performance.now();
    const [trusted, untrusted, normal] = await Promise.all([
      postSoap(h.endpoint, grow(h.signed(query).xml, 100_000)).then((r) => ({ r, ms: performance.now() - t0 })),
      postSoap(h.endpoint, grow(h.signed(query, { as: 'untrusted' }).xml, 100_000)).then((r) => ({ r, ms: performance.now() - t0 })),
      postSoap(h.endpoint, h.signed(query).xml).then((r) => ({ r, ms: performance.now() - t0 })),
    ]);
    expect(trusted.r.body).toContain('<code>S999</code>');
    expect(untrusted.r.body).toContain('<code>S999</code>');
    expect(trusted.ms).toBeLessThan(500);
    expect(untrusted.ms).toBeLessThan(500);
    expect(answerFacts(normal.r.body).ergebnisstatus).toBe('01');
    console.error(`[measure] normal query alone ${Math.min(...normalAlone).toFixed(0)} ms, beside two hostile ones ${normal.ms.toFixed(0)} ms`);
    expect(normal.ms).toBeLessThan(Math.min(...normalAlone) + 500);
  });

  it('a message within the limits is not refused for them', async () => {
    const res = await postSoap(h.endpoint, h.signed(query.replace('<hausnummer>110</hausnummer>', `<hausnummer>${'1'.repeat(L.maxTextBytes - 64)}</hausnummer>`)).xml);
    expect(res.body.includes('Grenzen')).toBe(false);
  });
});
