import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Blanks what may differ between two neutral answers: ids and timestamps. */
function masked(body: string): string {
  return body
    .replace(/<wsse:Security[\s\S]*<\/wsse:Security>/, 'SIGNATURE')
    .replace(/wsu:Id="[^"]*"/g, 'wsu:Id="ID"')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g, 'TIME')
    .replace(/<gw:vorgangsnummer>[^<]*<\/gw:vorgangsnummer>/, '<gw:vorgangsnummer>VG</gw:vorgangsnummer>');
}

async function ask(file: string): Promise<string> {
  const res = await postSoap(h.endpoint, h.signed(readFileSync(path.join(fixturesDir, 'queries', file), 'utf8')).xml);
  expect(res.status).toBe(200);
  return res.body;
}

describe('the neutral answer leaks nothing (§ 34a Abs. 5 BMG)', () => {
  const blocked = [
    ['standard dialect (mirror, Land 03)', '1330-blocked-standard.xml'],
    ['vendor marker in landesspezifischeErweiterungen (Land 09)', '1330-blocked-vendor-marker.xml'],
    ['empty person element (Land 08)', '1330-blocked-empty-auskunft.xml'],
    ['blocked member of a name group, found by birth date (Land 14)', '1330-blocked-by-birthdate.xml'],
  ];

  for (const [dialect, file] of blocked) {
    it(`a blocked person, ${dialect}, gets the answer a person who does not exist gets`, async () => {
      const notFound = await ask('1330-not-found.xml');
      const block = await ask(file as string);
      expect(answerFacts(block).ergebnisstatus).toBe('03');
      expect(answerFacts(block).persons).toBe(0);
      expect(block).not.toMatch(/sperr|landesspezifisch|simulator:vendor/i);
      expect(masked(block)).toBe(masked(notFound));
    });
  }

  it('keeps blocked and not-found apart in nothing the protocol holds either (read by the commissioning authority)', async () => {
    const notFound = answerFacts(await ask('1330-not-found.xml'));
    const block = answerFacts(await ask('1330-blocked-vendor-marker.xml'));
    const outcomes = [];
    for (const v of [notFound.vorgangsnummer, block.vorgangsnummer]) {
      // The police authority commissioned the operator: its full records are in its own partition.
      for await (const r of h.gateway.protocol.export({ vorgangsnummer: v as string }, { kind: 'authority', id: 'dbs:030000010000' })) {
        if (r.hop === 'answered') outcomes.push(r.outcome);
      }
    }
    expect(outcomes).toHaveLength(2);
    expect(outcomes[0]).toEqual({ ergebnisstatus: '03', personCount: 0 });
    expect(outcomes[0]).toEqual(outcomes[1]);
  });
});
